"""The people, companies, forms and pages the demo week draws from (fictional, Dutch B2B).

Kept apart from the plan so the plan's logic reads without the word lists in the way.
"""

from __future__ import annotations

import unicodedata

#: The selling company whose week is played.
COMPANY_NAME = "Noordlicht Software"
WEBSITE = "https://www.noordlicht.example"

#: (first names, last names) per country, for prospects.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Netherlands": (
        ("Anouk", "Bram", "Eva", "Joost", "Lotte", "Maarten", "Noor", "Pieter", "Roos", "Thijs"),
        ("de Jong", "Jansen", "de Boer", "Mulder", "Visser", "Smit", "Meijer", "Bos", "Dekker"),
    ),
    "Belgium": (
        ("Arne", "Elise", "Jens", "Lien", "Wout", "Femke"),
        ("Peeters", "Maes", "Claes", "Wouters", "Goossens", "Willems"),
    ),
    "Luxembourg": (("Luc", "Claire"), ("Schmit", "Weber")),
    "Germany": (
        ("Jonas", "Lena", "Felix", "Hannah", "Tobias", "Julia"),
        ("Müller", "Schmidt", "Fischer", "Wagner", "Becker", "Hoffmann"),
    ),
    "Austria": (("Florian", "Katharina"), ("Gruber", "Huber")),
    "Switzerland": (("Reto", "Nina"), ("Keller", "Meier")),
    "France": (("Camille", "Julien"), ("Lefèvre", "Moreau")),
    "Denmark": (("Mads", "Freja"), ("Nielsen", "Larsen")),
    "United States": (("Ashley", "Tyler"), ("Johnson", "Miller")),
    "India": (("Priya", "Arjun"), ("Sharma", "Patel")),
}

#: (company, e-mail domain, country) of prospect companies.
COMPANIES: tuple[tuple[str, str, str], ...] = (
    ("Van Dijk Logistiek", "vandijk-logistiek.example", "Netherlands"),
    ("Brabant Bouwgroep", "brabantbouw.example", "Netherlands"),
    ("Zeeland Foods", "zeelandfoods.example", "Netherlands"),
    ("Utrechtse Zorggroep", "uzg.example", "Netherlands"),
    ("Haven Techniek Rotterdam", "haventechniek.example", "Netherlands"),
    ("Groningen Energie", "groningen-energie.example", "Netherlands"),
    ("Amstel Advocaten", "amsteladvocaten.example", "Netherlands"),
    ("Delftse Data", "delftsedata.example", "Netherlands"),
    ("Vlaamse Verpakking", "vlaamseverpakking.example", "Belgium"),
    ("Antwerp Diamond Logistics", "adl.example", "Belgium"),
    ("Gentse Bouw", "gentsebouw.example", "Belgium"),
    ("Lux Fintech", "luxfintech.example", "Luxembourg"),
    ("Rheinland Maschinenbau", "rheinland-mb.example", "Germany"),
    ("Hamburger Handel", "hamburgerhandel.example", "Germany"),
    ("Bayern Medizintechnik", "bayern-medtech.example", "Germany"),
    ("Wiener Versicherung", "wienerversicherung.example", "Austria"),
    ("Zürcher Analytics", "zuercher-analytics.example", "Switzerland"),
    ("Lyon Industrie", "lyonindustrie.example", "France"),
    ("Aarhus Shipping", "aarhusshipping.example", "Denmark"),
)

#: Where prospects outside the selling countries come from (held back by the MQL definition).
FAR_COMPANIES: tuple[tuple[str, str, str], ...] = (
    ("Ohio Tool Supply", "ohiotool.example", "United States"),
    ("Pune Textiles", "punetextiles.example", "India"),
)

JOB_TITLES = (
    "Head of Sales",
    "Marketing Manager",
    "Operations Director",
    "CFO",
    "Revenue Operations Lead",
    "IT Manager",
    "Managing Director",
    "Sales Manager",
)

#: (form name, landing page path, how hot a fill of this form is: 2 hot, 1 warm, 0 cold)
FORMS: tuple[tuple[str, str, int], ...] = (
    ("Demo aanvragen", "/demo", 2),
    ("Offerte aanvragen", "/prijzen", 2),
    ("Whitepaper: Slimmer plannen", "/whitepaper/slimmer-plannen", 1),
    ("Webinar: Revenue Operations in 2025", "/webinar/revops", 1),
    ("Nieuwsbrief", "/blog", 0),
    ("Contactformulier", "/contact", 1),
)

#: HubSpot original-source values, weighted roughly as a B2B site sees them.
SOURCES: tuple[tuple[str, int], ...] = (
    ("ORGANIC_SEARCH", 30),
    ("PAID_SEARCH", 15),
    ("EMAIL_MARKETING", 15),
    ("SOCIAL_MEDIA", 10),
    ("REFERRALS", 10),
    ("DIRECT_TRAFFIC", 15),
    ("OFFLINE", 5),
)

#: Why a rep sends a lead back ("not now"): the note as the rep writes it, and the reason code
#: picked in the Lead's Recycle_Reason__c picklist (the codes of the ``recycle:`` config).
RECYCLABLE_NOTES: tuple[tuple[str, str], ...] = (
    ("Bad timing: budget frees up next quarter", "bad_timing"),
    ("No budget this year", "no_budget"),
    ("Call back after the summer", "call_back_later"),
)
#: Reasons that end a lead for good (the config's ``disqualify_reasons``).
DISQUALIFYING_NOTES: tuple[tuple[str, str], ...] = (
    ("Signed with a competitor last month", "competitor"),
    ("Turns out to be a student project", "student"),
)
#: A rep in a hurry: a note, but the reason picklist left empty.
NO_REASON_NOTES: tuple[str, ...] = ("Not now, maybe later", "Not interested at the moment")

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def email_address(first: str, last: str, domain: str, taken: set[str]) -> str:
    """first.last@domain in plain ASCII (ü → ue, é → e), numbered if already taken."""
    local = f"{_ascii(first)}.{_ascii(last)}"
    candidate, number = f"{local}@{domain}", 2
    while candidate in taken:
        candidate, number = f"{local}{number}@{domain}", number + 1
    return candidate


def _ascii(text: str) -> str:
    text = text.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", "")
