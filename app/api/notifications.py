"""The owner's in-app notifications: /api/v1/notifications."""
from flask_jwt_extended import current_user

from ..schemas.audience import NotificationSchema
from ..schemas.common import PaginationQuerySchema, page_of
from ..services import notifications
from . import Blueprint, login_required, paginated

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications",
                description="In-app notifications of the signed-in owner")


@blp.route("/", methods=["GET"])
@login_required
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_of(NotificationSchema))
def list_notifications(page):
    """Unread first, then newest first; each `message` in the account's language."""
    listed = paginated(notifications.list_for(current_user), **page)
    return {**listed, "data": notifications.in_language(listed["data"], current_user)}


@blp.route("/<objectid:notification_id>/read", methods=["POST"])
@login_required
@blp.response(200, NotificationSchema)
def mark_read(notification_id):
    """Mark one notification read (idempotent); someone else's is a 404."""
    return notifications.mark_read(current_user, notification_id)
