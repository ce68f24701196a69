"""Date and number formats for Chinese pages (/zh/): Django ships them for zh-hans only.

The site's Chinese is Simplified Chinese under the plain code "zh" (issue 20), so Django
would fall back to English formats, with English month names. These are Django's
zh_Hans formats: numeric dates need no month names."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403
