"""Order pages and a staff export for a Django shop, written view by view."""

import csv

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from shop.models import Order


@login_required
def order_detail(request, order_id):
    order = get_object_or_404(Order, pk=order_id)  # expect: CWE-639
    return JsonResponse({"id": order.pk, "total": str(order.total), "address": order.shipping_address})


@login_required
def order_detail_v2(request, order_id):
    order = get_object_or_404(Order, pk=order_id, customer=request.user)  # secure: CWE-639
    return JsonResponse({"id": order.pk, "total": str(order.total), "address": order.shipping_address})


@login_required
@require_POST
def cancel_order(request, order_id):
    Order.objects.filter(pk=order_id).update(status="cancelled")  # expect: CWE-639
    return redirect("orders")


@login_required
@require_POST
def cancel_order_v2(request, order_id):
    Order.objects.filter(pk=order_id, customer=request.user).update(status="cancelled")  # secure: CWE-639
    return redirect("orders")


@login_required
def export_orders_csv(request):  # expect: CWE-285
    response = HttpResponse(content_type="text/csv")
    writer = csv.writer(response)
    for order in Order.objects.select_related("customer"):
        writer.writerow([order.pk, order.customer.email, order.total])
    return response


@staff_member_required
def export_orders_csv_v2(request):  # secure: CWE-285
    response = HttpResponse(content_type="text/csv")
    writer = csv.writer(response)
    for order in Order.objects.select_related("customer"):
        writer.writerow([order.pk, order.customer.email, order.total])
    return response


@require_POST
def mark_shipped(request, order_id):  # expect: CWE-306
    Order.objects.filter(pk=order_id).update(status="shipped")
    return JsonResponse({"ok": True})
