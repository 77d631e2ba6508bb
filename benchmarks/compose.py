"""One synthetic source document: its text and its named graph, written together so
that every evidence quote is a verbatim fragment of one line of the text."""
from __future__ import annotations

import calendar
import datetime as dt
import random

from world import Entity, World, slug

ROLES_HOSTING = ["host", "co-host", "convener"]
TOPICS = ["international-collaboration", "human-resources-development", "standardization",
          "intellectual-property", "use-case-development", "social-implementation",
          "industrialization", "quantum-ecosystem", "industry-government-academia-collaboration",
          "government-support", "basic-research", "technical-demonstration", "open-innovation",
          "international-competitiveness", "quantum-computing", "quantum-devices",
          "business-opportunities", "mutual-trust", "national-strategies-and-policies"]
EVENT_KINDS = [("HighLevelMeeting", "High-Level Meeting"), ("MinisterialMeeting", "Ministerial Meeting"),
               ("CommitteeMeeting", "Committee Meeting"), ("Dialogue", "Dialogue"),
               ("Symposium", "Symposium"), ("Meeting", "Meeting")]
OUTCOMES = [("international-collaboration", "the need to expedite international collaboration on quantum technologies"),
            ("human-resources-development", "the importance of developing the quantum workforce"),
            ("standardization", "the value of joint work on standards for quantum devices"),
            ("use-case-development", "the need to develop use cases with industry"),
            ("quantum-ecosystem", "the importance of a global quantum industrial ecosystem"),
            ("government-support", "the importance of continued support from national governments")]
OFFSETS = {"japan": "+09:00", "korea": "+09:00", "united-states": "-05:00", "canada": "-05:00",
           "united-kingdom": "+00:00", "australia": "+10:00", "india": "+05:30", "singapore": "+08:00"}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _long_date(d: dt.date) -> str:
    return f"{calendar.day_name[d.weekday()]}, {calendar.month_name[d.month]} {d.day}, {d.year}"


class Doc:
    """The text lines and Turtle blocks of one document, with an exact triple count."""

    def __init__(self, sid: str, issued: dt.date, prefixes: str):
        self.sid, self.issued, self.prefixes = sid, issued, prefixes
        self.lines: list[str] = []
        self.blocks: list[str] = []
        self.triples = 0
        self.typed: set[str] = set()
        self.label = self.title = ""
        self.publishers: list[Entity] = []

    @staticmethod
    def lit(text: str, lang: str | None = "en") -> str:
        body = text.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{body}"@{lang}' if lang else f'"{body}"'

    def say(self, *sentences: str) -> tuple[str, ...]:
        """Add one line of text (a paragraph of ``sentences``); return them for quoting."""
        self.lines.append(" ".join(sentences))
        return sentences

    def node(self, ref: str, props: list[tuple[str, object]]) -> None:
        parts = []
        for pred, obj in props:
            objs = obj if isinstance(obj, list) else [obj]
            if objs:
                parts.append(f"{pred} {' , '.join(objs)}")
                self.triples += len(objs)
        self.blocks.append(f"{ref} " + " ;\n    ".join(parts) + " .\n\n")

    def evidence(self, bodies: list[str], supports: list[str], quotes) -> None:
        targets = ",\n     ".join(
            f"[ a oa:SpecificResource ; oa:hasSource qdoc:{self.sid} ;\n"
            f"       oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact {self.lit(q, None)} ] ]"
            for q in quotes)
        sup = f"   qkg:supports {' , '.join(supports)} ;\n" if supports else ""
        self.blocks.append(f"[] a oa:Annotation ;\n   oa:hasBody {' , '.join(bodies)} ;\n{sup}"
                           f"   oa:hasTarget {targets} .\n\n")
        self.triples += 1 + len(bodies) + len(supports) + 6 * len(quotes)

    def turtle(self) -> str:
        head = (f"# Assertions of the synthetic source document {self.sid} "
                f"(named graph graph/{self.sid}).\n\n")
        return self.prefixes + "\n" + head + "".join(self.blocks)

    @property
    def text(self) -> str:
        return "\n\n".join(self.lines) + "\n"


class Composer:
    """Writes documents about the events of one :class:`World`."""

    def __init__(self, rng: random.Random, world: World, prefixes: str):
        self.rng, self.world, self.prefixes = rng, world, prefixes
        self.previous: dict[str, tuple] = {}
        self.countries: set[str] = set()  # countries some document mentions
        self.used: set[str] = set()

    # -- entities --------------------------------------------------------------------
    def mention(self, doc: Doc, e: Entity) -> None:
        """Type and label ``e`` in ``doc`` once, with the structural facts the text states."""
        if e.ref in doc.typed:
            return
        doc.typed.add(e.ref)
        if e.kind == "qcountry":
            self.countries.add(e.slug)
        props: list[tuple[str, object]] = [("a", f"qkg:{e.cls}"), ("rdfs:label", doc.lit(e.label))]
        if e.cls == "City":
            self.mention(doc, e.extra["in"])
            props.append(("qkg:containedInPlace", e.extra["in"].ref))
            doc.node(e.ref, props)
            (q,) = doc.say(f"{e.label}, {e.extra['in'].label}")
            doc.evidence([e.ref], ["qkg:containedInPlace"], [q])
        elif e.cls == "Facility":
            self.mention(doc, e.extra["city"])
            self.mention(doc, e.extra["of"])
            props += [("qkg:containedInPlace", e.extra["city"].ref), ("qkg:facilityOf", e.extra["of"].ref)]
            doc.node(e.ref, props)
            (q,) = doc.say(f"{e.label} is a facility of {e.extra['of'].label} in {e.extra['city'].label}.")
            doc.evidence([e.ref], ["qkg:containedInPlace", "qkg:facilityOf"], [q])
        elif "parent" in e.extra:
            self.mention(doc, e.extra["parent"])
            props.append(("qkg:subOrganizationOf", e.extra["parent"].ref))
            doc.node(e.ref, props)
            (q,) = doc.say(f"The {e.label} took part.")
            doc.evidence([e.ref], ["qkg:subOrganizationOf"], [q])
        elif e.kind == "qorg" and self.rng.random() < 0.3:
            city = e.extra["city"]
            self.mention(doc, city)
            props.append(("qkg:basedIn", city.ref))
            doc.node(e.ref, props)
            (q,) = doc.say(f"{e.label}, based in {city.label}, is among the partners.")
            doc.evidence([e.ref], ["qkg:basedIn"], [q])
        elif e.cls == "Person":
            props.append(("qkg:honorificPrefix", doc.lit(e.extra["prefix"], None)))
            doc.node(e.ref, props)
            self.holding(doc, e)
        else:
            doc.node(e.ref, props)

    def holding(self, doc: Doc, person: Entity) -> None:
        post = person.extra["post"]
        org = post.extra["in"]
        self.mention(doc, org)
        if post.ref not in doc.typed:
            doc.typed.add(post.ref)
            doc.node(post.ref, [("a", "qkg:Post"), ("rdfs:label", doc.lit(post.label)), ("qkg:postIn", org.ref)])
        h = f"qholding:{person.slug}--{post.slug}--{doc.issued.isoformat()}"
        doc.node(h, [("a", "qkg:PostHolding"),
                     ("rdfs:label", doc.lit(f"{person.label} as {post.label}, as of {doc.issued.isoformat()}")),
                     ("qkg:holder", person.ref), ("qkg:post", post.ref),
                     ("qkg:asOf", f'"{doc.issued.isoformat()}"^^xsd:date')])
        (q,) = doc.say(f"{person.extra['prefix']} {person.label}, {post.label}, attended.")
        doc.evidence([h], ["qkg:holder", "qkg:post", "rdfs:label"], [q])
        doc.evidence([person.ref], ["qkg:honorificPrefix"], [f"{person.extra['prefix']} {person.label}"])

    # -- dates ---------------------------------------------------------------------------
    def dates(self, day: dt.date, country: Entity) -> tuple[list, str]:
        """Date properties of an event held on or from ``day``, at a random precision,
        and the line of text that states them."""
        r = self.rng.random()
        if r < 0.35:
            off = OFFSETS.get(country.slug, "+01:00")
            h = self.rng.randint(9, 16)
            start, end = f"{day.isoformat()}T{h:02d}:00:00{off}", f"{day.isoformat()}T{h + 2:02d}:30:00{off}"
            return ([("qkg:startDate", f'"{start}"^^xsd:dateTime'), ("qkg:endDate", f'"{end}"^^xsd:dateTime')],
                    f"Date & Time: {_long_date(day)}, {h}:00 - {h + 2}:30 (UTC{off})")
        if r < 0.70:
            days = self.rng.choice((0, 0, 1, 2))
            props = [("qkg:startDate", f'"{day.isoformat()}"^^xsd:date')]
            text = f"Date: {_long_date(day)}"
            if days:
                last = day + dt.timedelta(days=days)
                props.append(("qkg:endDate", f'"{last.isoformat()}"^^xsd:date'))
                text += f" to {_long_date(last)}"
            return props, text
        if r < 0.90:
            return ([("qkg:startDate", f'"{day.year:04d}-{day.month:02d}"^^xsd:gYearMonth')],
                    f"The meeting took place in {calendar.month_name[day.month]} {day.year}.")
        return ([("qkg:startDate", f'"{day.year:04d}"^^xsd:gYear')], f"The meeting was held in {day.year}.")

    # -- one document ------------------------------------------------------------------
    def document(self, n: int, issued: dt.date) -> Doc:
        rng, w = self.rng, self.world
        publisher = rng.choice(w.orgs)
        series = rng.choice(w.series) if rng.random() < 0.5 else None
        cls, kind = rng.choice(EVENT_KINDS)
        city = rng.choice(w.cities)
        country = city.extra["in"]
        if series:
            series.extra["editions"] += 1
            edition = series.extra["editions"]
            name = f"{_ordinal(edition)} {series.label}"
        else:
            name = f"{rng.choice(['Quantum', 'Future of Quantum', 'Quantum Innovation', 'Quantum Industry'])} {kind} {city.label}"
        sid = f"{issued.isoformat()}-{slug(name)[:48].strip('-')}-{n:05d}"
        doc = Doc(sid, issued, self.prefixes)
        doc.label = f"Press release: {name} ({publisher.label}, {issued.day} {calendar.month_name[issued.month]} {issued.year})"
        doc.title = name
        doc.publishers = [publisher]
        doc.say(f"**{name}**")
        doc.say(f"{calendar.month_name[issued.month]} {issued.day}, {issued.year}", publisher.label)
        doc.node(f"qdoc:{sid}", [("a", "qkg:SourceDocument"), ("rdfs:label", doc.lit(doc.label))])
        event = f"qevent:{sid}"
        day = issued - dt.timedelta(days=rng.randint(0, 6))
        date_props, date_line = self.dates(day, country)
        self.mention(doc, city)
        venue = rng.choice(w.facilities)
        self.mention(doc, venue)
        topics = [f"qtopic:{t}" for t in rng.sample(TOPICS, rng.randint(1, 3))]
        props = [("a", f"qkg:{cls}"), ("rdfs:label", doc.lit(name)), *date_props,
                 ("qkg:location", city.ref), ("qkg:venue", venue.ref), ("dcterms:subject", topics)]
        if series:
            self.mention(doc, series)
            props += [("qkg:inSeries", series.ref), ("qkg:editionNumber", str(series.extra["editions"]))]
        size = max(4, min(60, int(rng.lognormvariate(2.6, 0.6))))
        agents = w.pick(rng, "orgs", size // 2) + w.pick(rng, "people", size // 3) + w.pick(rng, "units", size // 6) \
            + w.pick(rng, "countries", size // 6)
        parts = []
        for i, agent in enumerate(agents):
            role = (ROLES_HOSTING[i % 3] if i < 2 else "co-sponsor" if i < 4 else "chair" if agent.cls == "Person"
                    and "chair" not in [p[2] for p in parts] else "participant")
            parts.append((f"qpart:{sid}--{agent.slug}--{role}", agent, role))
        props.append(("qkg:hasParticipation", [p[0] for p in parts]))
        outcomes = rng.sample(OUTCOMES, rng.randint(1, 4))
        outcome_refs = [f"qoutcome:{sid}--{t}" for t, _ in outcomes]
        commitment = f"qoutcome:{sid}--next-steps"
        props.append(("qkg:hasOutcome", outcome_refs + [commitment]))
        items = [f"qagenda:{sid}--item-{i}" for i in range(1, rng.randint(0, 6) + 1)]
        if items:
            props.append(("qkg:hasAgendaItem", items))
        doc.node(event, props)
        (head,) = doc.say(f"{publisher.label} hosted the {name} in {city.label}, {country.label}.")
        doc.evidence([event], ["rdf:type", "rdfs:label", "qkg:location", "dcterms:subject"], [head])
        doc.evidence([event], [p for p, _ in date_props], [doc.say(date_line)[0]])
        doc.evidence([event], ["qkg:venue"], [doc.say(f"Venue: {venue.label}")[0]])
        if series:
            doc.evidence([event], ["qkg:inSeries", "qkg:editionNumber"], [name])
            self.previous_edition(doc, event, cls, series, date_props)
        self.participations(doc, name, parts)
        for (topic, phrase), ref in zip(outcomes, outcome_refs):
            (q,) = doc.say(f"The participants shared the recognition of {phrase}.")
            doc.node(ref, [("a", "qkg:Outcome"), ("rdfs:label", doc.lit(f"Shared recognition of {phrase}")),
                           ("dcterms:description", doc.lit(q)), ("dcterms:subject", f"qtopic:{topic}")])
            doc.evidence([ref], ["rdfs:label", "dcterms:description", "dcterms:subject"], [q])
        committed = parts[0][1]
        (q,) = doc.say(f"{committed.label} will continue to promote international cooperation in the quantum field.")
        doc.node(commitment, [("a", "qkg:Commitment"), ("rdfs:label", doc.lit(f"Next steps of {committed.label}")),
                              ("dcterms:description", doc.lit(q)), ("qkg:committedAgent", committed.ref)])
        doc.evidence([commitment], ["qkg:committedAgent", "dcterms:description"], [q])
        for i, item in enumerate(items, 1):
            body = rng.choice(agents)
            doc.node(item, [("a", "qkg:AgendaItem"), ("rdfs:label", doc.lit(f"Report from {body.label}")),
                            ("qkg:position", str(i)), ("qkg:reportingBody", body.ref)])
            doc.evidence([item], ["rdfs:label", "qkg:position", "qkg:reportingBody"], doc.say(f"{i}. Report from {body.label}"))
        if rng.random() < 0.4:
            self.observation(doc, issued)
        if rng.random() < 0.25:
            self.founding(doc, issued)
        if rng.random() < 0.2:
            self.planned(doc, issued)
        return doc

    def participations(self, doc: Doc, name: str, parts) -> None:
        by_role: dict[str, list] = {}
        for ref, agent, role in parts:
            self.mention(doc, agent)
            doc.node(ref, [("a", "qkg:Participation"), ("rdfs:label", doc.lit(f"{agent.label} as {role} of '{name}'")),
                           ("qkg:agent", agent.ref), ("qkg:role", f"qrole:{role}")])
            by_role.setdefault(role, []).append((ref, agent))
        for role, members in by_role.items():
            heading = {"host": "Host", "co-host": "Co-host", "convener": "Convener", "co-sponsor": "Co-sponsors",
                       "chair": "Chair", "participant": "Participants"}[role]
            (q,) = doc.say(f"{heading}: " + ", ".join(a.label for _, a in members))
            doc.evidence([r for r, _ in members], ["qkg:agent", "qkg:role"], [q])

    def previous_edition(self, doc: Doc, event: str, cls: str, series: Entity, date_props) -> None:
        """Restate the previous edition of the series: the same facts its own document states."""
        prev = self.previous.get(series.slug)
        start = next(v for p, v in date_props if p == "qkg:startDate")
        self.previous[series.slug] = (event, doc.lines[0].strip("*"), doc.issued, cls, start)
        if not prev:
            return
        ref, label, day, prev_cls, prev_start = prev
        doc.node(ref, [("a", f"qkg:{prev_cls}"), ("rdfs:label", doc.lit(label)), ("qkg:inSeries", series.ref),
                       ("qkg:startDate", prev_start)])
        (q,) = doc.say(f"The previous meeting, the {label}, took place in {calendar.month_name[day.month]} {day.year}.")
        doc.evidence([ref], ["rdf:type", "rdfs:label", "qkg:inSeries", "qkg:startDate"], [q])

    def observation(self, doc: Doc, issued: dt.date) -> None:
        org = self.rng.choice(self.world.orgs)
        self.mention(doc, org)
        n = self.rng.randint(12, 400)
        exact = self.rng.random() < 0.5
        ref = f"qobs:{org.slug}--member-count--{issued.isoformat()}"
        while ref in self.used:  # two documents of the same day about the same body
            ref += "-b"
        self.used.add(ref)
        value = ("qkg:exactValue", str(n)) if exact else ("qkg:minExclusive", str(n))
        label = f"{org.label} member count as of {issued.isoformat()}: {'' if exact else 'over '}{n}"
        doc.node(ref, [("a", "qkg:Observation"), ("rdfs:label", doc.lit(label)), ("qkg:observedEntity", org.ref),
                       ("qkg:measure", "qmeasure:member-count"),
                       ("qkg:asOf", f'"{issued.isoformat()}"^^xsd:date'), value])
        (q,) = doc.say(f"{org.label} now has {'' if exact else 'over '}{n} members.")
        doc.evidence([ref], ["qkg:observedEntity", "qkg:measure", value[0], "qkg:asOf"], [q])

    def founding(self, doc: Doc, issued: dt.date) -> None:
        org = self.rng.choice(self.world.orgs)
        self.mention(doc, org)
        # One founding date per organization, whichever document states it.
        h = sum(map(ord, org.slug))
        day = dt.date(2008 + h % 8, 1 + h % 12, 1 + h % 28)
        ref = f"qevent:founding-of-{org.slug}"
        doc.node(ref, [("a", "qkg:Founding"), ("rdfs:label", doc.lit(f"Founding of {org.label}")),
                       ("qkg:foundedOrganization", org.ref), ("qkg:startDate", f'"{day.isoformat()}"^^xsd:date')])
        (q,) = doc.say(f"{org.label} was established on {calendar.month_name[day.month]} {day.day}, {day.year}.")
        doc.evidence([ref], ["rdf:type", "rdfs:label", "qkg:foundedOrganization", "qkg:startDate"], [q])

    def planned(self, doc: Doc, issued: dt.date) -> None:
        venue = self.rng.choice(self.world.facilities)
        self.mention(doc, venue)
        year = issued.year + self.rng.randint(1, 3)
        ref = f"qevent:start-of-operations-of-{venue.slug}-{year}"
        doc.node(ref, [("a", "qkg:StartOfOperations"), ("rdfs:label", doc.lit(f"Start of operations of {venue.label}")),
                       ("qkg:operatedFacility", venue.ref), ("qkg:plannedStart", f'"{year}"^^xsd:gYear'),
                       ("qkg:eventStatus", "qstatus:planned")])
        (q,) = doc.say(f"Operations of {venue.label} are scheduled to begin in {year}.")
        doc.evidence([ref], ["rdf:type", "rdfs:label", "qkg:operatedFacility", "qkg:plannedStart", "qkg:eventStatus"], [q])
