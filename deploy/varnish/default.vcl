vcl 4.1;
# Newsroom's page cache, for Debian's varnish package (7.1 on Debian 12). See README "How pages are cached".
#
# The site says what may be kept and for how long (Cache-Control: s-maxage, stale-while-revalidate,
# stale-if-error) and what each page shows (Surrogate-Key). Its worker bans pages by key as changes
# commit: a BAN request from an address in the purgers ACL, with the keys in a Surrogate-Key header.

import std;

# The app server (gunicorn). More than one: add backends and a directors.round_robin.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .probe = {
        .url = "/healthz";
        .interval = 2s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;  # healthy from the start: serve at once after a restart
    }
}

# Who may ban: the machines running the worker (manage.py run_worker).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN" || req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # Keys are lower-case letters, digits and hyphens, separated by spaces (newsroom/cache.py).
        if (!req.http.Surrogate-Key || req.http.Surrogate-Key !~ "^[a-z0-9][a-z0-9 -]*$") {
            return (synth(400, "Surrogate-Key required"));
        }
        # Only obj.* in the expression, so the ban lurker clears old objects in the background.
        # No space inside the expression's regular expression: the ban parser splits on spaces.
        if (std.ban("obj.http.Surrogate-Key ~ (^|\s)(" + regsuball(req.http.Surrogate-Key, " +", "|") + ")(\s|$)")) {
            return (synth(200, "Banned"));
        }
        return (synth(400, std.ban_error()));
    }

    # Varnish itself appends the client's address to X-Forwarded-For (set TRUSTED_PROXIES to
    # Varnish's address so that rate limits count readers, not Varnish).

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # Staff pages, previews and share links, the health check: never from the cache.
    if (req.url ~ "^/(admin|staff|preview)/" || req.url ~ "^/healthz") {
        return (pass);
    }
    # Signed-in staff, a reader with a comment awaiting moderation, a message to show:
    # their pages are their own.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|nr_pending|nr_primary|messages)=") {
        return (pass);
    }
    # Every other cookie (the CSRF token, analytics, a reader's votes) changes nothing on a
    # cached page: drop them all, so every reader shares one copy.
    unset req.http.Cookie;

    # Serve pages past their s-maxage for stale-while-revalidate (60 s, CACHE_STALE_WHILE_REVALIDATE)
    # while a fresh copy is fetched; while the site is down, for as long as stale-if-error allows.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 60s;
    }
    return (hash);
}

sub vcl_backend_response {
    # A background refresh that failed (the database is down: 503) keeps the stale copy; a
    # failure fetched in the foreground is passed on and not remembered.
    if (beresp.status >= 500) {
        if (bereq.is_bgfetch) {
            return (abandon);
        }
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # Keep pages past their TTL for stale-if-error (beresp.grace), which vcl_recv shortens to
    # stale-while-revalidate while the site is healthy.
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1") + "s", 0s);
    }
    # A response the site did not mark public is not kept (Varnish's own rules also refuse
    # private, no-cache, no-store and Set-Cookie); remember for two minutes not to wait for it.
    if (beresp.http.Cache-Control !~ "public") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Then Varnish's own rules (no Set-Cookie, no Vary: *, TTL from s-maxage).
}

sub vcl_backend_error {
    # A background refresh that failed keeps the stale copy.
    if (bereq.is_bgfetch) {
        return (abandon);
    }
    # The site cannot be reached and nothing stale is left: a short plain page.
    set beresp.http.Content-Type = "text/plain; charset=utf-8";
    set beresp.http.Retry-After = "10";
    synthetic("The site is unavailable for a moment. Please try again shortly.");
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # Keys are for the cache, not for readers.
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}
