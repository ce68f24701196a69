from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self) -> None:
        from anymail.signals import tracking

        from newsletter import webhooks

        # Anymail only sends this signal when its webhook URLs are configured (ANYMAIL_ESP).
        tracking.connect(webhooks.handle_tracking, dispatch_uid="newsletter.webhooks.handle_tracking")
