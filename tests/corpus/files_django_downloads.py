"""Django views for invoice downloads and attachment uploads."""

import os

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.utils._os import safe_join
from django.views.decorators.http import require_POST

INVOICE_DIR = os.path.join(settings.MEDIA_ROOT, "invoices")
ALLOWED_ATTACHMENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}


def download_invoice(request, filename):
    path = os.path.join(INVOICE_DIR, filename)
    if not os.path.exists(path):
        raise Http404("Invoice not found")
    return FileResponse(open(path, "rb"), as_attachment=True)  # expect: CWE-22


def download_invoice_safe(request, filename):
    try:
        path = safe_join(INVOICE_DIR, filename)
    except SuspiciousFileOperation:
        raise Http404("Invoice not found")
    return FileResponse(open(path, "rb"), as_attachment=True)  # secure: CWE-22


def export_log(request):
    name = request.GET.get("log", "app.log")
    with open(f"/var/log/myapp/{name}") as fh:  # expect: CWE-22
        return HttpResponse(fh.read(), content_type="text/plain")


@require_POST
def upload_attachment(request):
    upload = request.FILES["attachment"]
    destination_path = os.path.join(settings.MEDIA_ROOT, "attachments", upload.name)
    with open(destination_path, "wb+") as destination:  # expect: CWE-22
        for chunk in upload.chunks():
            destination.write(chunk)  # expect: CWE-434
    return JsonResponse({"saved": upload.name})


@require_POST
def upload_attachment_safe(request):
    upload = request.FILES["attachment"]
    if upload.content_type not in ALLOWED_ATTACHMENT_TYPES or upload.size > 10 * 1024 * 1024:
        return JsonResponse({"error": "unsupported file"}, status=400)
    # Storage.save validates the name and never overwrites an existing file.
    saved_name = default_storage.save(f"attachments/{upload.name}", upload)  # secure: CWE-434
    return JsonResponse({"saved": saved_name})
