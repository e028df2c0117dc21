"""Error pages in the visitor's language, with the reason when our code gave one."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # "No workshop has this code." is worth showing; a URL that matches nothing is not.
    reason = ""
    if isinstance(exception, Http404) and not isinstance(exception, Resolver404):
        reason = str(exception.args[0]) if exception.args else ""
    return render(request, "404.html", {"reason": reason}, status=404)
