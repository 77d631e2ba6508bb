"""The synthetic world behind the generated corpus: countries, cities, venues, bodies,
people and their posts, event series — drawn once from a seeded generator.

Every entity has one IRI, one type and one English label, so the many documents that
mention it agree about it (as real documents that name Q-STAR do). Sizes scale with
the number of documents, so entities recur across documents at every corpus size.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

COUNTRIES = [
    ("japan", "Japan", "JP"), ("united-states", "United States", "US"), ("canada", "Canada", "CA"),
    ("united-kingdom", "United Kingdom", "GB"), ("france", "France", "FR"), ("germany", "Germany", "DE"),
    ("italy", "Italy", "IT"), ("netherlands", "Netherlands", "NL"), ("denmark", "Denmark", "DK"),
    ("finland", "Finland", "FI"), ("sweden", "Sweden", "SE"), ("switzerland", "Switzerland", "CH"),
    ("korea", "Korea", "KR"), ("australia", "Australia", "AU"), ("singapore", "Singapore", "SG"),
    ("india", "India", "IN"), ("spain", "Spain", "ES"), ("austria", "Austria", "AT"),
    ("norway", "Norway", "NO"), ("ireland", "Ireland", "IE"), ("belgium", "Belgium", "BE"),
    ("poland", "Poland", "PL"), ("czechia", "Czechia", "CZ"), ("israel", "Israel", "IL"),
    ("brazil", "Brazil", "BR"), ("new-zealand", "New Zealand", "NZ"), ("estonia", "Estonia", "EE"),
    ("portugal", "Portugal", "PT"),
]

_SYLLABLES = ["ka", "na", "za", "wa", "to", "ri", "mo", "se", "ha", "ru", "mi", "ta", "yo", "shi",
              "ber", "lin", "ford", "ham", "dal", "vik", "sund", "burg", "mar", "len", "cas", "ora"]
_GIVEN = ["Aiko", "Hiroshi", "Yuki", "Kenji", "Mariko", "Takeshi", "Emma", "Lucas", "Sofia", "Noah",
          "Mia", "Liam", "Anna", "Jonas", "Clara", "Mateo", "Ingrid", "Pierre", "Hana", "Min-jun",
          "Priya", "Arjun", "Olivia", "Henrik", "Elena", "David", "Sara", "Tomas", "Chloe", "Ravi"]
_FAMILY = ["Tanaka", "Suzuki", "Sato", "Watanabe", "Nakamura", "Kobayashi", "Smith", "Johnson",
           "Martin", "Bernard", "Muller", "Schmidt", "Rossi", "Jensen", "Larsen", "Virtanen",
           "Andersson", "Kim", "Park", "Lee", "Sharma", "Patel", "Brown", "Dubois", "Novak",
           "Fischer", "Costa", "Silva", "Cohen", "Murphy", "Van Dijk", "Kowalski", "Tamm"]
_FIELDS = ["Quantum Science", "Quantum Technology", "Quantum Computing", "Quantum Materials",
           "Photonics and Quantum Sensing", "Quantum Information", "Quantum Networks",
           "Advanced Computing", "Quantum Devices", "Quantum-AI Technology"]
#: (class local name, role of the body in the world)
_ORG_KINDS = [
    ("Ministry", "Ministry of Science and Technology of {country}"),
    ("Ministry", "Ministry of Economy and Industry of {country}"),
    ("Ministry", "Ministry of Foreign Affairs of {country}"),
    ("University", "University of {city}"),
    ("University", "{city} Institute of Technology"),
    ("ResearchInstitute", "National Institute of {field} of {country}"),
    ("ResearchInstitute", "{city} Research Organization for {field}"),
    ("IndustryConsortium", "{country} Quantum Industry Alliance"),
    ("IndustryConsortium", "{city} Consortium for {field}"),
    ("BusinessFederation", "{city} Economic Federation"),
    ("LocalGovernment", "{city} City Government"),
    ("InternationalOrganization", "International Council for {field}"),
]


def slug(text: str) -> str:
    """Lowercase kebab-case slug of ``text``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Entity:
    kind: str    # IRI prefix: qorg, qperson, qplace, qcountry, qseries, qpost
    slug: str
    cls: str     # local name of the qkg class
    label: str
    extra: dict = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.slug}"


@dataclass
class World:
    countries: list[Entity]
    cities: list[Entity]
    facilities: list[Entity]
    orgs: list[Entity]
    units: list[Entity]
    people: list[Entity]
    series: list[Entity]
    codes: dict[str, str]

    def pick(self, rng: random.Random, pool: str, k: int = 1) -> list[Entity]:
        items = getattr(self, pool)
        return rng.sample(items, min(k, len(items)))


def _unique(seen: set, base: str) -> str:
    out, n = base, 2
    while out in seen:
        out, n = f"{base}-{n}", n + 1
    seen.add(out)
    return out


def build_world(rng: random.Random, documents: int) -> World:
    """Draw a world sized for ``documents`` source documents."""
    seen: set[str] = set()
    countries = [Entity("qcountry", s, "Country", name) for s, name, _ in COUNTRIES]
    codes = {s: code for s, _, code in COUNTRIES}
    cities = []
    for _ in range(max(12, documents // 4)):
        name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
        country = rng.choice(countries)
        cities.append(Entity("qplace", _unique(seen, slug(name)), "City", name, {"in": country}))
    orgs, units = [], []
    for _ in range(max(30, documents)):
        cls, pattern = rng.choice(_ORG_KINDS)
        city = rng.choice(cities)
        label = pattern.format(country=city.extra["in"].label, city=city.label, field=rng.choice(_FIELDS))
        org = Entity("qorg", _unique(seen, slug(label)), cls, label, {"city": city})
        orgs.append(org)
        if cls in ("Ministry", "ResearchInstitute", "University") and rng.random() < 0.5:
            unit_cls = {"Ministry": "Secretariat", "ResearchInstitute": "ResearchCenter",
                        "University": "OrganizationalUnit"}[cls]
            name = {"Secretariat": "Secretariat for {field}", "ResearchCenter": "Center for {field}",
                    "OrganizationalUnit": "Graduate School of {field}"}[unit_cls].format(field=rng.choice(_FIELDS))
            units.append(Entity("qorg", _unique(seen, slug(f"{org.slug}-{name}")), unit_cls,
                                f"{name}, {label}", {"parent": org, "city": city}))
    facilities = []
    for i in range(max(8, documents // 5)):
        host = rng.choice(orgs)
        name = f"{host.extra['city'].label} {rng.choice(['Quantum Campus', 'Convention Center', 'Innovation Hall', 'Science Park', 'Synchrotron Facility'])}"
        facilities.append(Entity("qplace", _unique(seen, slug(name)), "Facility", name,
                                 {"city": host.extra["city"], "of": host}))
    people = []
    for _ in range(max(40, documents * 2)):
        name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
        org = rng.choice(orgs)
        title = {"Ministry": "Minister", "University": "President", "ResearchInstitute": "Director General",
                 "IndustryConsortium": "Chair", "BusinessFederation": "Chair", "LocalGovernment": "Mayor",
                 "InternationalOrganization": "Secretary General"}[org.cls]
        post_label = f"{title} of {org.label}"
        post = Entity("qpost", slug(f"{title}-of-{org.slug}"), "Post", post_label, {"in": org})
        people.append(Entity("qperson", _unique(seen, slug(name)), "Person", name,
                             {"post": post, "prefix": rng.choice(["Prof.", "Dr.", "Ms.", "Mr."])}))
    series = []
    for _ in range(max(4, documents // 25)):
        label = f"{rng.choice(['Multilateral Dialogue', 'International Symposium', 'Ministerial Roundtable', 'Industry Forum'])} on {rng.choice(_FIELDS)}"
        series.append(Entity("qseries", _unique(seen, slug(label)), "EventSeries", label, {"editions": 0}))
    return World(countries, cities, facilities, orgs, units, people, series, codes)
