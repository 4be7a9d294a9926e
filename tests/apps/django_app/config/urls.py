"""Root URL configuration of the shop project."""

from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from shop.views import InvoiceViewSet

router = DefaultRouter()
router.register(r"invoices", InvoiceViewSet, basename="invoice")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("shop/", include("shop.urls")),
    path("api/", include(router.urls)),
]
