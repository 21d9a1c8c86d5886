"""Template context for every page: who is signed in, for the header of templates/base.html."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from citydesk import role_home


def signed_in(request: HttpRequest) -> dict[str, object]:
    # Lazy: pages without the header (the admin, the API docs) never read the staff profile.
    return {"signed_in": SimpleLazyObject(lambda: _identity(request))}


def _identity(request: HttpRequest) -> role_home.Identity | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return role_home.identity_of(user)
