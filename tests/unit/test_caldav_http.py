"""The CalDAV source's own WebDAV requests against a scripted server: a Digest challenge,
a redirect on the same host (followed) and to another host (not followed, so the password
stays home), and the discovery chain principal → calendar home → calendars → REPORT."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin.errors import ServiceError
from afterword.plugin.sources.caldav import CalDavSource

EVENT = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VEVENT\r\nUID:one@acme.com\r\n"
         "DTSTAMP:20250301T000000Z\r\nDTSTART:20250305T150000Z\r\nDTEND:20250305T160000Z\r\n"
         "SUMMARY:Interview &amp; lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
ANSWERS = {
    "/dav/": '<D:response><D:href>/dav/</D:href><D:propstat><D:prop><D:current-user-principal>'
             "<D:href>/principals/u/</D:href></D:current-user-principal></D:prop>"
             "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>",
    "/principals/u/": "<D:response><D:href>/principals/u/</D:href><D:propstat><D:prop>"
                      "<C:calendar-home-set><D:href>/calendars/u/</D:href>"
                      "</C:calendar-home-set></D:prop><D:status>HTTP/1.1 200 OK</D:status>"
                      "</D:propstat></D:response>",
    "/calendars/u/": "<D:response><D:href>/calendars/u/</D:href><D:propstat><D:prop>"
                     "<D:resourcetype><D:collection/></D:resourcetype></D:prop>"
                     "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
                     "<D:response><D:href>/calendars/u/work/</D:href><D:propstat><D:prop>"
                     "<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>"
                     "<D:displayname>Work</D:displayname><CS:getctag>1</CS:getctag>"
                     "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
                     "<D:propstat><D:prop><D:sync-token/></D:prop>"
                     "<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>",
    "/calendars/u/work/": "<D:response><D:href>/calendars/u/work/one.ics</D:href><D:propstat>"
                          f"<D:prop><C:calendar-data>{EVENT}</C:calendar-data></D:prop>"
                          "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>",
}


class Server:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []  # method, path, Authorization scheme
        self.redirect_to = "/dav/"
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle_dav(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                auth = self.headers.get("Authorization") or ""
                server.seen.append((self.command, self.path, auth.split(" ", 1)[0]))
                if not auth.startswith('Digest username="u"'):
                    self.send_response(401)
                    self.send_header("WWW-Authenticate",
                                     'Digest realm="dav", nonce="abc", qop="auth"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/":
                    self.send_response(301)
                    self.send_header("Location", server.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = ('<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" '
                        'xmlns:C="urn:ietf:params:xml:ns:caldav" '
                        'xmlns:CS="http://calendarserver.org/ns/">'
                        + ANSWERS[self.path] + "</D:multistatus>").encode()
                self.send_response(207)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_PROPFIND = do_REPORT = handle_dav

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture
def server() -> Iterator[Server]:
    found = Server()
    yield found
    found.httpd.shutdown()
    found.httpd.server_close()


WINDOW = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))


def test_digest_redirect_and_discovery(server: Server) -> None:
    source = CalDavSource(server.url, "u", "secret-pw", default_zone=ZoneInfo("UTC"),
                          timeout=5)

    [event] = source.events(*WINDOW)

    assert (event.uid, event.summary, event.source) == ("one@acme.com", "Interview & lunch",
                                                        "caldav:Work")
    answered = [(m, p) for m, p, scheme in server.seen if scheme == "Digest"]
    assert answered == [("PROPFIND", "/"), ("PROPFIND", "/dav/"),
                        ("PROPFIND", "/principals/u/"), ("PROPFIND", "/calendars/u/"),
                        ("REPORT", "/calendars/u/work/")]


def test_a_redirect_to_another_host_is_not_followed(server: Server) -> None:
    server.redirect_to = "http://elsewhere.invalid/dav/"
    source = CalDavSource(server.url, "u", "secret-pw", default_zone=ZoneInfo("UTC"),
                          timeout=5)

    with pytest.raises(ServiceError, match="refused a request: HTTP 301"):
        source.events(*WINDOW)
