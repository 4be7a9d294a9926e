from django.contrib.auth.decorators import login_required
from django.urls import path

from . import views

app_name = "shop"

urlpatterns = [
    path("orders/", views.order_list, name="order-list"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("orders/<int:pk>/cancel/", views.cancel_order, name="order-cancel"),
    path("orders/<int:pk>/edit/", views.OrderUpdateView.as_view(), name="order-edit"),
    path("orders/<int:pk>/notes/", login_required(views.order_notes), name="order-notes"),
    path("staff/export/", views.export_orders, name="export"),
    path("newsletter/", views.subscribe, name="newsletter"),
]
