"""The plan of the demo week: who arrives when, who becomes an MQL, what the reps do (pure).

``plan_week(seed)`` is deterministic per seed and does no I/O. It only decides what the *people*
do — fill in forms, read pages, mark MQLs, work, recycle, convert and win leads — never what Baton
does: whether an MQL is handed over or held back, and to whom, is Baton's call, observed by the
players and the summary. The plan does set people up so that a few MQLs will not meet the team's
definition (a personal address with no company, a country the team does not sell to, too few
page views), because that is what a real week brings.

Days are 0 (Monday) to 6 (Sunday); reps work Monday to Friday and answer an MQL on the next
working day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from enum import StrEnum

from baton.demo import cast

WORKDAYS = 5
WEEK = 7
#: Page views the team's MQL definition asks for (baton.demo.org.demo_changes).
MQL_PAGE_VIEWS = 3
WON_DEALS = 2
#: Recycles a week brings at least, so every path shows: one with a recyclable reason, one with a
#: disqualifying reason (competitor, student) and one where the rep left the reason empty.
MIN_RECYCLES = 3
_NAME_TRIES = 20


class Kind(StrEnum):
    """What a person does in one step of the week."""

    #: a form fill creates the HubSpot contact (with source, landing page and first page views)
    ARRIVE = "arrive"
    #: the contact reads more pages (HubSpot analytics raise the page-view count)
    VISIT = "visit"
    #: HubSpot marks the contact MQL (a lead-scoring workflow, or a marketer by hand)
    MARK_MQL = "mark_mql"
    #: the rep starts working the Salesforce lead (Status "Working - Contacted")
    WORK = "work"
    #: the rep says "not now" (Status "Closed - Not Converted", a note and a reason code)
    RECYCLE = "recycle"
    #: the rep converts the lead into a contact, account and opportunity
    CONVERT = "convert"
    #: the rep closes the opportunity as won
    WIN = "win"


#: The order of kinds within one day: marketing's morning, then sales' afternoon.
_PHASE = {kind: index for index, kind in enumerate(Kind)}


class Fate(StrEnum):
    """What the plan has in store for a person this week (the reason behind their actions)."""

    NURTURE = "nurture"  # keeps reading; not an MQL this week
    HELD = "held"  # marked MQL but set up to fail the MQL definition
    IGNORED = "ignored"  # a good MQL no rep touches this week
    WAITING = "waiting"  # became an MQL too late in the week for a rep to answer
    WORKED = "worked"
    RECYCLED = "recycled"
    IN_PIPELINE = "in_pipeline"  # converted, opportunity still open
    WON = "won"


@dataclass(frozen=True, slots=True)
class Person:
    """A prospect as the form captured them; ``company``/``job_title`` may be missing."""

    key: str
    first_name: str
    last_name: str
    email: str
    company: str | None
    job_title: str | None
    country: str
    source: str
    form: str
    landing_page: str
    page_views: int
    fate: Fate


@dataclass(frozen=True, slots=True)
class Action:
    """One thing one person does on one day."""

    day: int
    kind: Kind
    person: str
    #: VISIT: the page-view total after the visit
    page_views: int = 0
    #: MARK_MQL: "workflow" (lead scoring) or "marketer" (by hand)
    by: str = ""
    #: RECYCLE: the rep's note
    note: str = ""
    #: RECYCLE: the reason code the rep picks (Recycle_Reason__c); None = left empty
    reason: str | None = None
    #: WIN: the deal amount in euros; CONVERT: the amount expected on the new opportunity
    amount: int = 0


@dataclass(frozen=True, slots=True)
class WeekPlan:
    """The whole week: its people and every action, in the order they happen."""

    seed: int
    people: tuple[Person, ...]
    actions: tuple[Action, ...]

    def day(self, index: int) -> tuple[Action, ...]:
        """The actions of day ``index`` (0 = Monday), in order."""
        return tuple(a for a in self.actions if a.day == index)

    def person(self, key: str) -> Person:
        """The person with ``key``; KeyError when the plan has none."""
        for person in self.people:
            if person.key == key:
                return person
        raise KeyError(key)

    def count(self, kind: Kind, day: int | None = None) -> int:
        """How many actions of ``kind`` (on ``day``, or all week)."""
        return sum(1 for a in self.actions if a.kind == kind and day in (None, a.day))

    def with_fate(self, fate: Fate) -> list[Person]:
        """The people the plan gives ``fate``."""
        return [p for p in self.people if p.fate == fate]


def plan_week(seed: int) -> WeekPlan:
    """The seeded plan of one week; the same seed always gives the same plan."""
    rng = random.Random(seed)
    people: list[Person] = []
    actions: list[Action] = []
    mql_days: dict[str, int] = {}
    names: set[tuple[str, str]] = set()
    for day in range(WEEK):
        arrivals = rng.randint(5, 8) if day < WORKDAYS else rng.randint(1, 3)
        for slot in range(arrivals):
            profile = _profile(rng, day, slot)
            person = _person(rng, len(people) + 1, profile, {p.email for p in people}, names)
            people.append(person)
            steps, mql_day = _marketing_steps(rng, person, day, profile)
            actions += steps
            if mql_day is not None and person.fate != Fate.HELD:
                mql_days[person.key] = mql_day
    people, sales = _sales_steps(rng, people, mql_days)
    actions += sales
    position = {person.key: index for index, person in enumerate(people)}
    ordered = sorted(actions, key=lambda a: (a.day, _PHASE[a.kind], position[a.person]))
    return WeekPlan(seed, tuple(people), tuple(ordered))


# -- who arrives -----------------------------------------------------------------------------


def _profile(rng: random.Random, day: int, slot: int) -> str:
    """hot (asks for a demo), warm (reads first), cold (newsletter) or held (will fail the MQL
    definition). Monday's first two are hot, so the week can end with won deals; Tuesday and
    Thursday each start with one that will be held back, so every week shows a hold."""
    if day == 0 and slot < WON_DEALS:
        return "hot"
    if day in (1, 3) and slot == 0:
        return "held"
    return rng.choices(("hot", "warm", "cold", "held"), weights=(14, 36, 47, 3))[0]


def _person(
    rng: random.Random, number: int, profile: str, taken: set[str], names: set[tuple[str, str]]
) -> Person:
    hold = rng.choice(("far_away", "no_company", "few_pages")) if profile == "held" else None
    pool = cast.FAR_COMPANIES if hold == "far_away" else cast.COMPANIES
    for _ in range(_NAME_TRIES):  # one Julien Moreau a week is plenty
        company, domain, country = rng.choice(pool)
        firsts, lasts = cast.NAMES[country]
        first, last = rng.choice(firsts), rng.choice(lasts)
        if (first, last) not in names:
            break
    names.add((first, last))
    form = _form(rng, profile)
    job_title: str | None = rng.choice(cast.JOB_TITLES)
    if hold == "no_company":
        company, domain, job_title = None, "gmail.example", None  # type: ignore[assignment]
    email = cast.email_address(first, last, domain, taken)
    sources, weights = zip(*cast.SOURCES, strict=True)
    source = "OFFLINE" if hold == "few_pages" else rng.choices(sources, weights=weights)[0]
    views = 1 if hold == "few_pages" else rng.randint(1, 4) if profile != "cold" else 1
    return Person(
        key=f"p{number:02d}",
        first_name=first,
        last_name=last,
        email=email,
        company=company,
        job_title=job_title,
        country=country,
        source=source,
        form=form[0],
        landing_page=cast.WEBSITE + form[1],
        page_views=views,
        fate=Fate.HELD if profile == "held" else Fate.NURTURE,  # sales fates come later
    )


def _form(rng: random.Random, profile: str) -> tuple[str, str, int]:
    heat = {"hot": 2, "warm": 1, "cold": 0, "held": rng.choice((1, 2))}[profile]
    return rng.choice([f for f in cast.FORMS if f[2] == heat])


# -- marketing's side ------------------------------------------------------------------------


def _marketing_steps(
    rng: random.Random, person: Person, day: int, profile: str
) -> tuple[list[Action], int | None]:
    """Arrival, later page views, and the day HubSpot marks the contact MQL (if it does)."""
    steps = [Action(day, Kind.ARRIVE, person.key)]
    if profile == "hot":
        views = max(person.page_views, MQL_PAGE_VIEWS)
        if views > person.page_views:
            steps.append(Action(day, Kind.VISIT, person.key, page_views=views))
        steps.append(Action(day, Kind.MARK_MQL, person.key, by="workflow"))
        return steps, day
    if profile == "held":
        mql_day = min(day + rng.randint(0, 1), WEEK - 1)
        by = "workflow" if person.company and person.page_views >= MQL_PAGE_VIEWS else "marketer"
        steps.append(Action(mql_day, Kind.MARK_MQL, person.key, by=by))
        return steps, mql_day
    views = person.page_views
    for later in range(day + 1, WEEK):
        if rng.random() < (0.45 if profile == "warm" else 0.25):
            views += rng.randint(1, 2)
            steps.append(Action(later, Kind.VISIT, person.key, page_views=views))
            if profile == "warm" and views >= MQL_PAGE_VIEWS:
                steps.append(Action(later, Kind.MARK_MQL, person.key, by="workflow"))
                return steps, later
    return steps, None


# -- sales' side -----------------------------------------------------------------------------


def _next_workday(day: int) -> int | None:
    following = day + 1
    return following if following < WORKDAYS else None


def _sales_steps(
    rng: random.Random, people: list[Person], mql_days: dict[str, int]
) -> tuple[list[Person], list[Action]]:
    """Give each qualified MQL a fate and the rep actions that carry it out."""
    fates: dict[str, Fate] = {}
    work_days: dict[str, int | None] = {}
    for key in sorted(mql_days, key=lambda key: (mql_days[key], key)):
        mql_day = mql_days[key]
        work_days[key] = _work_day(rng, mql_day)
        fates[key] = _choose_fate(rng, mql_day, work_days[key], list(fates.values()))
    recycled = [key for key in fates if fates[key] == Fate.RECYCLED]
    reasons = dict(zip(recycled, _recycle_reasons(rng, len(recycled)), strict=True))
    steps: list[Action] = []
    for key, fate in fates.items():
        steps += _rep_actions(rng, key, work_days[key], fate, reasons.get(key, ("", None)))
    return [replace(p, fate=fates.get(p.key, p.fate)) for p in people], steps


def _work_day(rng: random.Random, mql_day: int) -> int | None:
    """A rep answers the same afternoon now and then, otherwise the next working day."""
    if mql_day < WORKDAYS and rng.random() < 0.35:
        return mql_day
    return _next_workday(mql_day)


def _choose_fate(
    rng: random.Random, mql_day: int, work_day: int | None, so_far: list[Fate]
) -> Fate:
    if work_day is None:
        return Fate.WAITING
    days_left = WORKDAYS - 1 - work_day
    if mql_day <= 1 and days_left >= 2 and so_far.count(Fate.WON) < WON_DEALS:
        return Fate.WON
    if days_left >= 1 and Fate.IN_PIPELINE not in so_far:
        return Fate.IN_PIPELINE
    if days_left >= 1 and so_far.count(Fate.RECYCLED) < MIN_RECYCLES:
        return Fate.RECYCLED
    options = [Fate.WORKED, Fate.IGNORED] + ([Fate.RECYCLED] if days_left >= 1 else [])
    weights = [50, 30] + ([20] if days_left >= 1 else [])
    return rng.choices(options, weights=weights)[0]


def _recycle_reasons(rng: random.Random, count: int) -> list[tuple[str, str | None]]:
    """(note, reason code) of the week's ``count`` recycles in order: a recyclable, a
    disqualifying and a missing reason among the first three (shuffled), recyclable after that."""
    picks: list[tuple[str, str | None]] = [
        rng.choice(cast.RECYCLABLE_NOTES),
        rng.choice(cast.DISQUALIFYING_NOTES),
        (rng.choice(cast.NO_REASON_NOTES), None),
    ]
    rng.shuffle(picks)
    picks += [rng.choice(cast.RECYCLABLE_NOTES) for _ in range(count - len(picks))]
    return picks[:count]


def _rep_actions(
    rng: random.Random,
    key: str,
    work_day: int | None,
    fate: Fate,
    why: tuple[str, str | None],
) -> list[Action]:
    """Work, then recycle (with ``why``: note and reason code), or convert (and win): one step
    per working day."""
    if work_day is None or fate not in (Fate.WORKED, Fate.RECYCLED, Fate.IN_PIPELINE, Fate.WON):
        return []
    steps = [Action(work_day, Kind.WORK, key)]
    if fate == Fate.RECYCLED:
        note, reason = why
        steps.append(Action(work_day + 1, Kind.RECYCLE, key, note=note, reason=reason))
    if fate in (Fate.IN_PIPELINE, Fate.WON):
        steps.append(Action(work_day + 1, Kind.CONVERT, key, amount=_expected_amount(key)))
    if fate == Fate.WON:
        amount = rng.randrange(12_000, 60_000, 500)
        steps.append(Action(work_day + 2, Kind.WIN, key, amount=amount))
    return steps


def _expected_amount(key: str) -> int:
    """The amount a rep puts on a new opportunity, in euros: fixed per person and drawn from no
    random stream, so every seed's story stays as it was (the win sets the final amount)."""
    return 10_000 + 500 * (sum(map(ord, key)) % 60)
