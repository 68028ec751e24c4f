"""Posting files to the app's upload forms (Settings › Import and Restore) as the page's
script does, and waiting for the background job they start: one way for every upload test,
so that they agree on the form the app receives."""

from __future__ import annotations

import io

from web_client import csrf, wait_for_job


def post_files(
    client,
    files: list[tuple[bytes, str]],
    route: str = "/settings/import",
    field: str = "files",
    json: bool = True,
):
    """POSTs ``files`` ((content, file name) pairs) in one multipart form with the page's
    CSRF token; asks for JSON as the page's script does, or not (``json=False``) as the
    form does without JavaScript."""
    return client.post(
        route,
        data={"csrf_token": csrf(client), field: [(io.BytesIO(d), n) for d, n in files]},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"} if json else {},
    )


def upload_files(
    client,
    files: list[tuple[bytes, str]],
    route: str = "/settings/import",
    field: str = "files",
    timeout: float = 60,
) -> dict:
    """``post_files``, which must start a job (202), then the job's last status once it
    has ended (done, failed or cancelled)."""
    response = post_files(client, files, route, field)
    assert response.status_code == 202, response.data
    return wait_for_job(client, response.get_json()["status_url"], timeout)
