"""In the browser: a command waiting for its acknowledgement goes out once per socket.

The chaos bench (bench/chaos.py) found the page resending its whole queue on every
welcome, also on a socket that already carried it (a gap or a `resync` asks for a
welcome on the same socket). Under load each gap then multiplied the commands waiting
in the server, which made the next gaps more likely: a retry storm.
"""

import pytest
from playwright.sync_api import expect

from live.models import CommandReceipt
from tests.support.browser import (
    SocketLink,
    join_from_phone,
    live_queue,
    wait_for_empty_queue,
    write_postit,
)
from workshops.models import PostIt

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def test_a_welcome_on_the_same_socket_does_not_send_the_queue_again(
    asgi_server, new_page, workshop
):
    server = asgi_server()
    alice = new_page()
    link = SocketLink(alice)
    join_from_phone(alice, server, workshop, "Alice", "remote")

    # Her post-it arrives, its acknowledgement is lost: the page keeps it queued.
    link.drop_acks = True
    write_postit(alice, "Une idée")
    [queued] = live_queue(alice)
    expect(alice.locator("#board-workshop .postit:not(.pending)")).to_have_count(1)
    assert link.times_sent("cmd", queued["id"]) == 1

    # The server asks the page to catch up: it says hello on the same socket and is
    # welcomed again; the command this socket carried is not sent a second time.
    hellos = link.times_sent("hello")
    link.tell_page({"type": "resync"})
    expect(alice.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    alice.wait_for_timeout(500)  # what would be resent after the welcome has gone by now
    assert link.times_sent("hello") == hellos + 1
    assert link.times_sent("cmd", queued["id"]) == 1

    # A new socket does not know what the old one carried: the command goes again, the
    # server answers from its receipt, and nothing is created twice.
    link.drop_acks = False
    link.go_offline()
    link.go_online()
    wait_for_empty_queue(alice)
    assert link.times_sent("cmd", queued["id"]) == 2
    assert PostIt.objects.filter(workshop=workshop).count() == 1
    assert CommandReceipt.objects.filter(client_id=queued["id"]).count() == 1
