"""Order pages of the shop: function views, a class-based view and a DRF viewset."""

import csv

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import UpdateView
from rest_framework import permissions, viewsets

from .models import Invoice, NewsletterSignup, Order
from .serializers import InvoiceSerializer


@login_required
def order_list(request):
    orders = Order.objects.filter(customer=request.user).order_by("-created_at")
    return render(request, "shop/order_list.html", {"orders": orders})


@login_required
def order_detail(request, pk):
    order = get_object_or_404(Order, pk=pk)
    return render(request, "shop/order_detail.html", {"order": order})


@require_POST
def cancel_order(request, pk):
    Order.objects.filter(pk=pk).update(status="cancelled")
    return redirect("shop:order-list")


def order_notes(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    return JsonResponse({"notes": order.notes})


@login_required
def export_orders(request):
    response = HttpResponse(content_type="text/csv")
    writer = csv.writer(response)
    for order in Order.objects.all():
        writer.writerow([order.pk, order.customer.email, order.total])
    return response


@require_POST
def subscribe(request):
    NewsletterSignup.objects.get_or_create(email=request.POST["email"])
    return redirect("/")


class OrderUpdateView(LoginRequiredMixin, UpdateView):
    model = Order
    fields = ["shipping_address"]

    def get_queryset(self):
        return Order.objects.filter(customer=self.request.user)


class InvoiceViewSet(viewsets.ModelViewSet):
    serializer_class = InvoiceSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return Invoice.objects.filter(owner=self.request.user)
