from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.db import connection


def greet(request):
    name = request.GET.get("name", "")
    return HttpResponse(mark_safe("<b>Hello %s</b>" % name))


def search(request):
    q = request.GET["q"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM app_item WHERE title LIKE '%%%s%%'" % q)
        rows = cursor.fetchall()
    return HttpResponse(str(rows))


def back(request):
    return HttpResponseRedirect(request.GET.get("next"))


def back2(request):
    target = request.POST.get("return_to", "/")
    return redirect(target)
