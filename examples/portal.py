#!/usr/bin/env python3
"""An appraisal portal embedding copkit through the Python bindings.

The portal already knows who is signed in (its own login); it opens a
copkit session per person, shows their communities and the next meetings,
and turns copkit's domain events into its own notifications.

    python3 bindings/python/build.py        # prints the wheel
    pip install <wheel>
    python3 examples/portal.py
"""

import asyncio
import datetime

from copkit import (
    Access,
    CommunityKind,
    Copkit,
    CopkitError,
    CopkitEvent,
    CopkitListener,
    EventInput,
    Frequency,
    JoinPolicy,
    NewCommunity,
    NewSpace,
    NewThread,
    Recurrence,
    SpaceVisibility,
    ThreadKind,
    Weekday,
)

HOUR_MS = 60 * 60 * 1000


class PortalNotifications(CopkitListener):
    """The portal's notification outbox, fed by copkit."""

    def __init__(self):
        self.outbox = []

    def on_event(self, event):
        if isinstance(event, CopkitEvent.UPCOMING_EVENT):
            when = datetime.datetime.fromtimestamp(event.item.occurrence.starts_at / 1000, datetime.timezone.utc)
            self.outbox.append(f"to {event.user}: '{event.item.event.title}' starts {when:%a %d %b %H:%M} UTC")
        elif isinstance(event, CopkitEvent.ACTIVITY):
            kind = type(event.activity.kind).__name__.rsplit(".", 1)[-1]
            self.outbox.append(f"activity in {event.activity.community}: {kind.lower()}")


async def main():
    copkit = Copkit()  # in memory; `Copkit.dynamodb(...)` with the `dynamodb` feature
    notifications = PortalNotifications()
    copkit.add_listener(notifications)

    # The portal's signed-in appraiser opens a session with the identity it holds.
    helen = copkit.session("appraiser-helen", "Dr Helen O'Reilly", "helen@example.org")
    sig = await helen.create_community(
        NewCommunity(
            slug="wessex-appraisers",
            name="Wessex appraisers",
            purpose="Calibrating appraisal summaries and sharing good practice",
            kind=CommunityKind.SPECIAL_INTEREST_GROUP,
            access=Access.PUBLIC(join_policy=JoinPolicy.OPEN),
        )
    )
    calibration = await helen.create_space(
        sig.card.id, NewSpace(name="Calibration", description="Anonymised summaries", visibility=SpaceVisibility.MEMBERS())
    )
    await helen.start_thread(
        calibration.id,
        NewThread(kind=ThreadKind.QUESTION, title="How much reflection is enough for a QIA?",
                  body="Share an anonymised example.", tags=["qia"]),
    )
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    await helen.schedule_event(
        calibration.id,
        EventInput(
            title="Calibration evening", description="", time_zone="Europe/London",
            start_date=tomorrow.isoformat(), start_time="19:00", duration_minutes=60,
            online_url="https://meet.example.org/calibration",
            recurrence=Recurrence(frequency=Frequency.WEEKLY(weekdays=[list(Weekday)[tomorrow.weekday()]]),
                                  interval=2),
        ),
    )

    # A GP sees the directory, joins, and reads what is new.
    gp = copkit.session("gp-sam", "Dr Sam Patel", None)
    directory = await gp.directory(None, "wessex", None, None)
    await gp.join(directory.items[0].id)
    threads = await gp.list_threads(calibration.id, 10, None)
    print("Sam sees:", [t.title for t in threads.items])

    # The portal's scheduler asks for reminders; errors are typed.
    await gp.announce_upcoming(48)
    try:
        await gp.get_thread("not-a-thread-id")
    except CopkitError.Invalid as bad:
        print(f"portal shows: invalid {bad.field}")

    print("notifications:")
    for line in notifications.outbox:
        print(" ", line)


if __name__ == "__main__":
    asyncio.run(main())
