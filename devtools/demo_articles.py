"""The demo newsroom's articles: authors, columns, typed tags, photos, stories and interviews.

Everything here is invented for the demo: the people, their words and the
numbers. The UN bodies and missions named in tags are real, so the tag pages
look like a real newsroom's. Idempotent: rows are keyed on slugs (photos on
their alt text), and an article that exists is left alone, so a second run
adds nothing.

Photos are drawn with Pillow (soft gradients and shapes), then pass through
the same checks and re-encoding as an editor's upload, and get their
renditions here, synchronously: this runs from a command, never in a request.
"""

from __future__ import annotations

import datetime
from typing import TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from articles import images
from articles.models import (
    Article,
    ArticleAuthor,
    ArticleView,
    Author,
    Block,
    Column,
    Correction,
    FrontPagePin,
    Interviewee,
    Photo,
    Tag,
)
from devtools import demo_photos, demo_translations

AUTHORS = [
    {
        "slug": "ines-calder",
        "name": "Ines Calder",
        "role": "Senior correspondent, UN headquarters",
        "bio": (
            "Ines Calder has covered the Security Council since 2014. Before that she reported on "
            "elections in West Africa for a wire service, and she holds a master's degree in public "
            "international law."
        ),
    },
    {
        "slug": "tomas-arrieta",
        "name": "Tomás Arrieta",
        "role": "Contributing writer, peace operations",
        "bio": (
            "Tomás Arrieta writes about peacekeeping and humanitarian logistics. He spent six years as a "
            "field radio producer before turning to print, and splits his time between Nairobi and Bogotá."
        ),
    },
    {
        "slug": "hanna-lindqvist",
        "name": "Hanna Lindqvist",
        "role": "Columnist",
        "bio": (
            "Hanna Lindqvist writes Corridor Moves, our monthly column on who gets which job at the UN and "
            "why it matters. She previously worked in a member state's mission to the UN in New York."
        ),
    },
    {
        "slug": "kwame-osei-bonsu",
        "name": "Kwame Osei-Bonsu",
        "role": "Analysis editor",
        "bio": (
            "Kwame Osei-Bonsu edits our analysis and opinion pages and writes The Budget Line. He trained as "
            "an economist and has followed the UN's Fifth Committee through a dozen budget seasons."
        ),
    },
]

COLUMNS = [
    {
        "slug": "corridor-moves",
        "name": "Corridor Moves",
        "description": "Who is in line for the UN's senior jobs, who decides, and what changes when they arrive.",
        "cadence": "A monthly column",
        "partner": "",
    },
    {
        "slug": "the-budget-line",
        "name": "The Budget Line",
        "description": "Where the UN's money comes from, where it goes, and what happens when it is late.",
        "cadence": "Every other month",
        "partner": "Civic Ledger Foundation",
    },
]

TAGS = [
    ("South Sudan", Tag.Kind.COUNTRY, "The world's youngest state, host to one of the largest UN missions."),
    ("Haiti", Tag.Kind.COUNTRY, ""),
    ("Democratic Republic of the Congo", Tag.Kind.COUNTRY, ""),
    ("Lebanon", Tag.Kind.COUNTRY, ""),
    ("Sudan", Tag.Kind.COUNTRY, ""),
    ("Security Council", Tag.Kind.UN_BODY, "Fifteen members, five of them permanent, and the power to bind."),
    ("General Assembly", Tag.Kind.UN_BODY, ""),
    ("Human Rights Council", Tag.Kind.UN_BODY, ""),
    ("Fifth Committee", Tag.Kind.UN_BODY, "The General Assembly's committee for administration and budget."),
    ("UNHCR", Tag.Kind.UN_BODY, "The UN refugee agency."),
    ("World Food Programme", Tag.Kind.UN_BODY, ""),
    ("UNMISS", Tag.Kind.MISSION, "The UN Mission in South Sudan."),
    ("MONUSCO", Tag.Kind.MISSION, "The UN stabilization mission in the Democratic Republic of the Congo."),
    ("UNIFIL", Tag.Kind.MISSION, "The UN Interim Force in Lebanon."),
    ("BINUH", Tag.Kind.MISSION, "The UN Integrated Office in Haiti."),
    ("Peacekeeping", Tag.Kind.TOPIC, ""),
    ("Humanitarian funding", Tag.Kind.TOPIC, ""),
    ("UN appointments", Tag.Kind.TOPIC, "Who runs what at the UN, and how they got there."),
    ("UN reform", Tag.Kind.TOPIC, ""),
    ("African Union", Tag.Kind.ORGANISATION, ""),
    ("International Committee of the Red Cross", Tag.Kind.ORGANISATION, ""),
    ("Amara Osei", Tag.Kind.PERSON, ""),
    ("Nadia Haddad", Tag.Kind.PERSON, ""),
]

# key: (alt text, caption, credit, scene, seed)
PHOTOS = {
    "chamber": (
        "Illustration: delegates seated around a horseshoe-shaped table under a large mural",
        "Council members take their seats around the horseshoe table before a vote. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "chamber",
        1,
    ),
    "council-room": (
        "Illustration: rows of delegates' desks in a hall with a domed, pale blue ceiling",
        "Delegations fill the council hall for the opening of the autumn session. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "hall",
        9,
    ),
    "assembly": (
        "Illustration: a speaker at a podium in front of a tall gold wall, facing tiered rows of desks",
        "A speaker addresses the General Assembly hall from the podium. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "podium",
        10,
    ),
    "podium-envoys": (
        "Illustration: an envoy at a lectern in front of a gold wall, seen from the back of the room",
        "An envoy briefs member states from the lectern. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "podium",
        14,
    ),
    "drafting": (
        "Illustration: marked-up drafts of a text, a calculator and a cup of coffee on a wooden table",
        "Drafts pass between delegations many times before a text is put to a vote. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "desk",
        13,
    ),
    "ballot": (
        "Illustration: delegates seated in tiered rows of desks in a large hall",
        "Delegates wait in their seats for the result of a second round of voting. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "hall",
        15,
    ),
    "convoy": (
        "Illustration: a line of white trucks on a red dirt road at dusk",
        "A convoy of aid trucks heads north on a dirt road at dusk. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "convoy",
        2,
    ),
    "patrol": (
        "Illustration: a white patrol vehicle on a road winding between green hills",
        "A patrol vehicle on the road along the hills near the line of withdrawal. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "hills",
        11,
    ),
    "warehouse": (
        "Illustration: sacks of grain stacked high inside a warehouse lit by a skylight",
        "Sacks of grain stacked in a warehouse before distribution. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "warehouse",
        3,
    ),
    "harbour": (
        "Illustration: cranes and a cargo ship in a harbour at dawn",
        "Cranes and a cargo ship in the harbour at dawn, where relief supplies are unloaded. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "harbour",
        4,
    ),
    "corridor": (
        "Illustration: a long corridor lined with flags, two people talking at the far end",
        "A corridor lined with member states' flags, where much of the real negotiating happens. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "corridor",
        5,
    ),
    "ledger": (
        "Illustration: budget papers, a calculator and a cup of coffee on a desk, seen from above",
        "Budget documents on a delegate's desk during the committee's final week. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "desk",
        6,
    ),
    "portrait-osei": (
        "Illustration: the silhouette of a woman in a headscarf against the lights of a warehouse",
        "Amara Osei, a fictional logistics chief, in her office in a converted warehouse. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "portrait",
        7,
    ),
    "map-table": (
        "Illustration: a map with contour lines and coloured pins spread on a table",
        "A planning map of the mission's area of operations, marked with its bases. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "map",
        8,
    ),
    "portrait-calder": (
        "Illustration standing in for a portrait of Ines Calder",
        "Ines Calder. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "portrait",
        21,
    ),
    "portrait-arrieta": (
        "Illustration standing in for a portrait of Tomás Arrieta",
        "Tomás Arrieta. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "portrait",
        22,
    ),
    "portrait-lindqvist": (
        "Illustration standing in for a portrait of Hanna Lindqvist",
        "Hanna Lindqvist. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "portrait",
        23,
    ),
    "portrait-osei-bonsu": (
        "Illustration standing in for a portrait of Kwame Osei-Bonsu",
        "Kwame Osei-Bonsu. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "portrait",
        24,
    ),
    "portrait-marchetti": (
        "Illustration standing in for a portrait of Lena Marchetti",
        "Lena Marchetti. Illustration.",
        "NEWSROOM ILLUSTRATION",
        "portrait",
        25,
    ),
    "camp": (
        "Illustration: rows of white tents and prefabricated buildings inside a fenced compound",
        "A mission compound of tents and prefabricated offices, the kind handed over when a mission leaves. "
        "Illustration.",
        "NEWSROOM ILLUSTRATION",
        "camp",
        12,
    ),
}


# Main topics linked from the header, the editors' choice for the front page (lead first), and the
# stories readers opened most this week, most first.
SECTIONS = ["Security Council", "Peacekeeping", "Humanitarian funding", "UN appointments"]
FRONT_PAGE = ["former-mission-planners-on-leaving-well", "what-a-mandate-renewal-renews"]
MOST_READ = [
    "logistics-chief-on-feeding-eastern-congo",
    "budget-line-food-aid-in-five-numbers",
    "council-extends-south-sudan-mission",
    "corridor-moves-three-envoys",
    "why-the-peacekeeping-budget-keeps-shrinking",
]


def _date(month: int, day: int, hour: int = 14) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=datetime.UTC)


def p(text: str) -> tuple:
    return ("paragraph", text)


def h(text: str) -> tuple:
    return ("heading", text)


def q(text: str) -> tuple:
    return ("question", text)


def a(label: str, text: str) -> tuple:
    return ("answer", text, label)


def photo(key: str, size: str = "inline", caption: str = "") -> tuple:
    return ("photo", key, size, caption)


def quote(text: str, attribution: str) -> tuple:
    return ("pull_quote", text, attribution)


ARTICLES = [
    {
        "slug": "council-extends-south-sudan-mission",
        "title": "Security Council extends South Sudan mission for another year, with one abstention",
        "kind": Article.Kind.NEWS,
        "standfirst": (
            "The renewal keeps troop numbers steady but asks the mission to plan for elections that have "
            "been postponed twice."
        ),
        "authors": ["ines-calder"],
        "tags": ["South Sudan", "UNMISS", "Security Council", "Peacekeeping"],
        "published_at": _date(6, 4),
        "lead": "chamber",
        "comment_prompt": "What should the mission do differently in its next year?",
        "body": [
            p(
                "The Security Council on Thursday renewed the mandate of the UN Mission in South Sudan for "
                "twelve months, voting 14 in favour with one abstention after two weeks of negotiations that "
                "diplomats described as slow but not bitter."
            ),
            p(
                "The resolution leaves the ceiling on troops and police where it was, and adds a request that "
                "the mission draw up a plan for supporting national elections, should they take place. "
                "Several delegations said the wording was deliberately careful: the vote has already slipped "
                "twice, and no one in the chamber wanted to promise a date."
            ),
            h("What changed in the text"),
            p(
                "Most of the mandate is carried over. The new language asks for reporting every 90 days "
                "instead of every 120, and names the protection of civilians sites as a priority "
                "<em>during any electoral period</em>, a phrase one delegate called the real news of the day."
            ),
            quote(
                "We renewed a mission, not a timetable. The timetable belongs to the South Sudanese.",
                "A Council diplomat, speaking on background",
            ),
            p(
                "The abstaining member said it supported the mission's work but objected to a paragraph on "
                "sanctions monitoring, which it considered outside the mandate's scope."
            ),
        ],
    },
    {
        "slug": "haiti-office-new-funding-appeal",
        "title": "UN office in Haiti issues a new appeal as pledges fall short",
        "kind": Article.Kind.NEWS,
        "standfirst": (
            "Less than a third of this year's request has arrived, the office says, with the hurricane season ahead."
        ),
        "authors": ["tomas-arrieta"],
        "tags": ["Haiti", "BINUH", "Humanitarian funding"],
        "published_at": _date(6, 19),
        "lead": "harbour",
        "body": [
            p(
                "The UN's integrated office in Haiti published a revised appeal on Friday, cutting its request "
                "by a fifth and asking donors to prioritise water, shelter materials and the salaries of "
                "local staff who run its community programmes."
            ),
            p(
                "Officials said the smaller number reflected realism rather than reduced need. "
                "“We asked ourselves what we could actually deliver in six months,” one programme manager "
                "told us, “and wrote that down.”"
            ),
            p(
                "Three donors have announced new money since the appeal was published. None has said how much "
                "of it is new, rather than moved from other budget lines."
            ),
        ],
    },
    {
        "slug": "why-the-peacekeeping-budget-keeps-shrinking",
        "title": "Why the peacekeeping budget keeps shrinking, even as the missions stay",
        "kind": Article.Kind.ANALYSIS,
        "standfirst": (
            "Five years of cuts have not closed a single large mission. They have changed what those missions can do."
        ),
        "authors": ["kwame-osei-bonsu"],
        "tags": ["Fifth Committee", "Peacekeeping", "UN reform"],
        "published_at": _date(7, 8),
        "lead": "ledger",
        "correction": (
            "An earlier version of this article gave the wrong year for the first round of cuts. "
            "It was the 2021–22 budget, not 2020–21."
        ),
        "body": [
            p(
                "Every June, the General Assembly's Fifth Committee agrees a budget for peacekeeping. And for "
                "the fifth year running, this June's total was lower than the last one, even though the big "
                "missions are all still in place."
            ),
            p(
                "The arithmetic works because the cuts fall on things that are easy to defer: vehicle "
                "replacement, building maintenance, civilian posts left vacant. None of those stops a mission "
                "on its own. Together, they change its reach."
            ),
            h("Where the money went"),
            p(
                "Our reading of the budget documents for four large missions suggests that the share spent on "
                "troops and police has grown, while the share for civilian staff, who run human rights "
                "monitoring and work with local authorities, has fallen by roughly a quarter since the "
                "2021–22 budget."
            ),
            quote("A mission without its civilians is a garrison.", "A former head of mission's chief of staff"),
            p(
                "Member states that press for cuts argue that missions should have shrunk long ago, and that "
                "the budget is only catching up with reality. Those that resist point out that the mandates "
                "the Council writes have not become any shorter."
            ),
            p(
                "Both sides agree on one thing: the late payment of assessed contributions makes the real "
                "budget smaller than the one on paper. That is a subject for The Budget Line."
            ),
        ],
    },
    {
        "slug": "general-assembly-should-hear-candidates-in-public",
        "title": "The General Assembly should hear every senior candidate in public",
        "kind": Article.Kind.OPINION,
        "standfirst": "Open dialogues worked for the top job. They would work for the jobs just below it too.",
        "authors": ["kwame-osei-bonsu"],
        "tags": ["General Assembly", "UN appointments", "UN reform"],
        "published_at": _date(7, 29),
        "lead": "assembly",
        "comment_prompt": "Should candidates for senior UN posts face public hearings?",
        "body": [
            p(
                "When candidates for secretary-general first answered questions in public, sceptics predicted "
                "a talent show. What we got instead was a record: positions stated on camera that candidates "
                "could later be held to."
            ),
            p(
                "The heads of funds, programmes and agencies are still chosen mostly in private. Shortlists "
                "circulate, capitals lobby, and the public learns the result from a press release."
            ),
            p(
                "A two-hour session, open to any member state and streamed, would cost almost nothing. It "
                "would not end lobbying. It would make it harder to appoint someone who cannot explain, in "
                "public, what they plan to do."
            ),
        ],
    },
    {
        "slug": "how-a-council-resolution-is-written",
        "title": "How a Security Council resolution is written, from first draft to vote",
        "kind": Article.Kind.EXPLAINER,
        "standfirst": "Penholders, silence procedures and blue drafts: a guide to the Council's paperwork.",
        "authors": ["ines-calder"],
        "tags": ["Security Council"],
        "published_at": _date(8, 12),
        "lead": "drafting",
        "body": [
            h("Who holds the pen"),
            p(
                "Most files on the Council's agenda have a <strong>penholder</strong>: a member, usually "
                "permanent, that writes the first draft and runs the negotiation. The practice is not in any "
                "rulebook, which is one reason elected members keep asking to share it."
            ),
            h("From zero draft to blue"),
            p(
                "A first text goes to a small group, then to all fifteen members. Comments come back, the "
                "penholder revises, and the cycle repeats. When the text is close, it may be put under "
                "<em>silence</em>: if no member objects by a deadline, it is agreed."
            ),
            p(
                "The final version is printed in blue, traditionally, and must usually sit for 24 hours "
                "before the vote, so capitals can give their last instructions."
            ),
            h("The vote itself"),
            p(
                "A resolution needs nine votes and no veto from a permanent member. An abstention is not a "
                "veto, a convention the Council has followed since its early years."
            ),
        ],
    },
    {
        "slug": "corridor-moves-refugee-agency",
        "title": "Corridor Moves: who is in line to run the refugee agency",
        "kind": Article.Kind.COLUMN,
        "column": "corridor-moves",
        "standfirst": "Four names, one job, and a selection process that is more open than it used to be.",
        "authors": ["hanna-lindqvist"],
        "tags": ["UNHCR", "UN appointments"],
        "published_at": _date(8, 27),
        "lead": "corridor",
        "body": [
            p(
                "The refugee agency's next head will be proposed by the secretary-general and elected by the "
                "General Assembly, which in practice means the proposal is the decision. That makes the "
                "months before it the part worth watching."
            ),
            p(
                "Four candidates are discussed in the corridors this month: two former ministers, a career "
                "official from inside the agency, and a diplomat who has run a large humanitarian appeal. "
                "None has declared publicly, and all four told us, in different words, that they are "
                "“not campaigning”."
            ),
            p(
                "What the donors want is a fundraiser. What the staff want, according to several we spoke "
                "to, is someone who has worked in a field office in the last decade. The two are not "
                "incompatible, but the shortlist suggests they are rarely found in one person."
            ),
        ],
    },
    {
        "slug": "corridor-moves-three-envoys",
        "title": "Corridor Moves: three envoys, one shrinking travel budget",
        "kind": Article.Kind.COLUMN,
        "column": "corridor-moves",
        "standfirst": "Special envoys are cheap compared with missions. That is why they are asked to do so much.",
        "authors": ["hanna-lindqvist"],
        "tags": ["UN appointments", "Sudan", "African Union"],
        "published_at": _date(10, 1),
        "lead": "podium-envoys",
        "body": [
            p(
                "Three new envoys were named this quarter, each with a region, a small office and a travel "
                "budget that, one of them joked, “covers the flights but not the waiting”."
            ),
            p(
                "The appointments follow a pattern: when the Council cannot agree on a mission, it can "
                "usually agree on an envoy. The post costs little, commits no troops, and signals that the "
                "UN is paying attention."
            ),
            p(
                "The risk is that an envoy becomes a substitute for a decision. Two of the three new envoys "
                "will work alongside the African Union's own representatives, and both organisations say "
                "they have agreed who leads. The people we asked in each gave different answers."
            ),
        ],
    },
    {
        "slug": "budget-line-what-a-late-payment-does",
        "title": "The Budget Line: what a late payment does to a mission",
        "kind": Article.Kind.COLUMN,
        "column": "the-budget-line",
        "standfirst": "A mission does not stop when a contribution is late. It borrows from itself, and then waits.",
        "authors": ["kwame-osei-bonsu", "tomas-arrieta"],
        "tags": ["Fifth Committee", "Peacekeeping", "Humanitarian funding"],
        "published_at": _date(9, 9),
        "lead": "ledger",
        "body": [
            p(
                "When member states pay their peacekeeping assessments late, the money owed to countries "
                "that contribute troops is what usually waits. That means the poorest contributors end up "
                "lending, in effect, to the richest."
            ),
            h("Three ways missions cope"),
            p(
                "<ul><li>They delay reimbursements for troops and equipment.</li>"
                "<li>They borrow, within limits, from closed missions' leftover cash.</li>"
                "<li>They stop buying anything that can wait a quarter.</li></ul>"
            ),
            p(
                "None of these shows up as a cut. All of them show up, eventually, as a mission that does "
                "less than its budget says it can."
            ),
        ],
    },
    {
        "slug": "budget-line-food-aid-in-five-numbers",
        "title": "The Budget Line: food aid cuts, explained in five numbers",
        "kind": Article.Kind.COLUMN,
        "column": "the-budget-line",
        "standfirst": "Rations, pipelines and the cost of buying late: what a smaller appeal means on the ground.",
        "authors": ["kwame-osei-bonsu"],
        "tags": ["World Food Programme", "Sudan", "Humanitarian funding"],
        "published_at": _date(11, 5),
        "lead": "warehouse",
        "body": [
            p(
                "<strong>Half.</strong> The size of the ration some displaced families now receive, compared "
                "with what the standard calls for, according to aid officials we interviewed."
            ),
            p(
                "<strong>Three months.</strong> How far ahead food has to be bought to reach inland "
                "warehouses before the rains close the roads."
            ),
            p(
                "<strong>One in four.</strong> The share of planned distributions that were postponed in the "
                "last quarter in the areas we looked at."
            ),
            p(
                "<strong>Twice.</strong> Roughly how much more it can cost to fly food in once the roads are "
                "gone than to truck it in before."
            ),
            p("<strong>Zero.</strong> The number of officials who told us the cuts would be reversed this year."),
        ],
    },
    {
        "slug": "lebanon-border-force-quieter-month",
        "title": "Lebanon border force reports a quieter month but warns about its own funding",
        "kind": Article.Kind.NEWS,
        "standfirst": "Patrols are back to their usual routes; the mission's spokesperson says maintenance is not.",
        "authors": ["tomas-arrieta"],
        "tags": ["Lebanon", "UNIFIL", "Peacekeeping"],
        "published_at": _date(9, 23),
        "lead": "patrol",
        "body": [
            p(
                "The UN force in southern Lebanon said incidents along the line it monitors fell in "
                "September to their lowest level this year, and that most patrols had returned to routes "
                "suspended over the summer."
            ),
            p(
                "In the same briefing, a spokesperson said a quarter of the mission's vehicles were overdue "
                "for servicing, and that spare parts orders had been deferred to the next budget period."
            ),
        ],
    },
    {
        "slug": "human-rights-council-long-autumn",
        "title": "The Human Rights Council's long autumn",
        "kind": Article.Kind.ANALYSIS,
        "standfirst": "A crowded session, a shorter calendar and a record number of votes called on resolutions.",
        "authors": ["ines-calder", "kwame-osei-bonsu"],
        "tags": ["Human Rights Council", "UN reform"],
        "published_at": _date(10, 16),
        "lead": "council-room",
        "updated_at": _date(10, 18),
        "body": [
            p(
                "The autumn session in Geneva ended with more recorded votes than any in the council's "
                "history, a sign, diplomats said, that texts once adopted by consensus are now contested "
                "line by line."
            ),
            p(
                "Budget pressure shortened the session by three days. Side events were cut back, and several "
                "civil society groups said they had lost the informal access that made the trip to Geneva "
                "worthwhile."
            ),
            p(
                "Whether the council's influence is shrinking or simply becoming more visible depends on who "
                "you ask. What is clear is that consensus, once the default, now has to be negotiated."
            ),
        ],
    },
    {
        "slug": "what-a-mandate-renewal-renews",
        "title": "What a ‘mandate renewal’ actually renews",
        "kind": Article.Kind.EXPLAINER,
        "standfirst": "Troop ceilings, tasks, reporting and money: the four things decided when a mission is renewed.",
        "authors": ["ines-calder"],
        "tags": ["Peacekeeping", "Security Council"],
        "published_at": _date(11, 12),
        "lead": "map-table",
        "body": [
            p(
                "A mandate renewal is a resolution that keeps a mission going for a fixed period, usually a "
                "year. It can change four things, and a close reading of any renewal starts with them."
            ),
            h("Ceilings"),
            p("The maximum number of troops and police. A ceiling is a limit, not a promise: few missions reach it."),
            h("Tasks"),
            p("What the mission is asked to do, often in order of priority. Reordering tasks is a policy change."),
            h("Reporting"),
            p("How often the secretary-general reports back, and on what. Shorter cycles mean closer scrutiny."),
            h("Money"),
            p(
                "Not in the resolution at all. The budget is decided separately by the General Assembly, "
                "which is why a generous mandate can arrive with a thin budget."
            ),
        ],
    },
]

INTERVIEWS = [
    {
        "slug": "logistics-chief-on-feeding-eastern-congo",
        "title": "‘We count the trucks, not the promises’: a logistics chief on feeding eastern Congo",
        "kind": Article.Kind.INTERVIEW,
        "standfirst": (
            "Amara Osei has moved food through some of the hardest terrain on the continent. She explains "
            "what a funding gap looks like from a loading bay."
        ),
        "authors": ["tomas-arrieta"],
        "tags": [
            "Democratic Republic of the Congo",
            "MONUSCO",
            "World Food Programme",
            "Humanitarian funding",
            "Amara Osei",
        ],
        "published_at": _date(10, 22),
        "lead": "convoy",
        "editors_note": "This interview has been edited and condensed.",
        "comment_prompt": "What would you ask a humanitarian logistics chief?",
        "interviewees": [
            (
                "Amara Osei",
                "AMARA OSEI",
                "Head of logistics for a food agency's operation in the east of the country (a fictional person)",
            )
        ],
        "body": [
            p(
                "Amara Osei has spent eleven years running supply chains for humanitarian operations, the "
                "last three in the eastern provinces of the Democratic Republic of the Congo. We spoke by "
                "video from her office in a converted warehouse, with trucks audibly reversing outside."
            ),
            photo("portrait-osei", "inline"),
            q("What does your day actually start with?"),
            a(
                "AMARA OSEI",
                "A spreadsheet and a radio. The spreadsheet tells me what should be where. The radio tells me "
                "what is actually where. The job is the difference between the two.",
            ),
            q("How has this year's funding shortfall changed that difference?"),
            a(
                "AMARA OSEI",
                "It has moved the problem earlier. We used to worry about getting food to people. Now we "
                "worry about buying it in time. If the money comes in June, the food arrives after the roads "
                "have turned to mud, and then everything costs twice as much to move.\n\n"
                "So a late pledge is not just late. It is smaller, because of what it costs to spend it late.",
            ),
            photo("warehouse", "wide"),
            q("You mentioned roads. How many of your routes are open right now?"),
            a(
                "AMARA OSEI",
                "About two thirds, on a good week. Some close because of rain, some because of fighting, "
                "and some because a bridge that was repaired last year was not repaired well.",
            ),
            q("Does the peacekeeping mission help with access?"),
            a(
                "AMARA OSEI",
                "Sometimes, and carefully. An escort can open a road, but it can also make a convoy look like "
                "part of a side. We decide road by road, and the communities we work with have a say in it.",
            ),
            quote("A late pledge is not just late. It is smaller.", "Amara Osei"),
            q("What do donors misunderstand about logistics?"),
            a(
                "AMARA OSEI",
                "That it is overhead. A truck is not overhead if the food is in it. I would rather be told to "
                "cut a programme honestly than to cut the trucks and pretend the programme still exists.",
            ),
            q("Is there anything that has got easier?"),
            a(
                "AMARA OSEI",
                "Information. Drivers send photos of every checkpoint and every pothole. Five years ago, a "
                "convoy could disappear for a day. Now I know where it is to within a kilometre, even if I "
                "cannot always do anything about it.",
            ),
            q("What would you do with one more month of guaranteed funding?"),
            a(
                "AMARA OSEI",
                "Pre-position. Put food in the inland warehouses before the rains. That one month is worth "
                "more than three months' money arriving late.",
            ),
        ],
    },
    {
        "slug": "former-mission-planners-on-leaving-well",
        "title": "‘A mandate is a promise with a deadline’: two former planners on closing a mission well",
        "kind": Article.Kind.INTERVIEW,
        "standfirst": (
            "What happens to the radio masts, the local staff and the trust when a UN mission packs up? Two "
            "people who have planned drawdowns compare notes."
        ),
        "authors": ["ines-calder"],
        "tags": ["Peacekeeping", "UN reform", "Security Council", "Nadia Haddad"],
        "published_at": _date(11, 19),
        "lead": "camp",
        "editors_note": "This conversation has been edited for length and clarity. Both speakers are fictional.",
        "comment_prompt": "What should a UN mission leave behind when it goes?",
        "interviewees": [
            ("Nadia Haddad", "NADIA HADDAD", "Former head of mission planning for two peace operations"),
            ("Pieter van Loon", "PIETER VAN LOON", "Former chief of mission support, now a university lecturer"),
        ],
        "body": [
            p(
                "Missions are easier to open than to close. We asked two former UN planners, who between "
                "them have worked on four drawdowns, what a good exit looks like and why it so rarely happens."
            ),
            q("When does planning for the end of a mission start?"),
            a(
                "NADIA HADDAD",
                "In theory, on the first day. In practice, when the Council asks for a plan and gives you "
                "ninety days to write it.",
            ),
            a("PIETER VAN LOON", "And by then the budget for the exit is already smaller than the exit."),
            q("What is the hardest thing to hand over?"),
            a(
                "NADIA HADDAD",
                "Trust. Equipment you can donate, buildings you can transfer. But a community that called "
                "the mission's hotline when something happened at night does not automatically call the "
                "police instead.",
            ),
            photo("map-table", "inline"),
            q("What about the mission's own local staff?"),
            a(
                "PIETER VAN LOON",
                "They are the people who lose the most and are consulted the least. A good drawdown tells "
                "them the timeline before the press does, and helps them find the next job before the "
                "contract ends.",
            ),
            q("Is there a drawdown you would call a success?"),
            a(
                "NADIA HADDAD",
                "Partly. The handover of radio stations went well in one case, because we started two years "
                "early and trained the people who would run them. The handover of security went badly, "
                "because we started two months early.",
            ),
            quote("The budget for the exit is already smaller than the exit.", "Pieter van Loon"),
            q("What should the Council do differently?"),
            a(
                "PIETER VAN LOON",
                "Fund the last year properly. Closing costs money: severance, environmental clean-up, "
                "transport home. Treating the last year as the cheapest year is a false economy.",
            ),
            a("NADIA HADDAD", "And write the exit into the first mandate, so nobody is surprised by it."),
            q("One piece of advice for the next planner?"),
            a(
                "NADIA HADDAD",
                "Make a list of every promise the mission has made to anyone, and decide who will keep each "
                "one after you leave. If the answer is nobody, say so out loud.",
            ),
        ],
    },
]


def _photo(key: str, made: dict[str, Photo]) -> Photo:
    if key in made:
        return made[key]
    alt_text, caption, credit, scene, seed = PHOTOS[key]
    existing = Photo.objects.filter(alt_text=alt_text).first()
    if existing is None:
        clean = images.clean_upload(SimpleUploadedFile(f"{key}.jpg", demo_photos.draw(scene, seed)))
        existing = Photo(alt_text=alt_text, caption=caption, credit=credit, image=clean.content)
        existing.save()
        images.make_renditions(existing)
    made[key] = existing
    return existing


def demo_photo(key: str) -> Photo:
    """One of the demo's photos by its key, drawn and stored the first time it is asked for."""
    return _photo(key, {})


def _make_article(spec: dict, photos: dict[str, Photo], stdout: TextIO) -> bool:
    if Article.objects.filter(slug=spec["slug"]).exists():
        return False
    column = Column.objects.get(slug=spec["column"]) if spec.get("column") else None
    article = Article.objects.create(
        slug=spec["slug"],
        title=spec["title"],
        kind=spec["kind"],
        standfirst=spec["standfirst"],
        column=column,
        lead_photo=_photo(spec["lead"], photos),
        editors_note=spec.get("editors_note", ""),
        comment_prompt=spec.get("comment_prompt", ""),
        status=Article.Status.PUBLISHED,
        published_at=spec["published_at"],
        first_published_at=spec["published_at"],
        updated_at=spec.get("updated_at"),
    )
    authors = {author.slug: author for author in Author.objects.filter(slug__in=spec["authors"])}
    ArticleAuthor.objects.bulk_create(
        ArticleAuthor(article=article, author=authors[slug], position=position)
        for position, slug in enumerate(spec["authors"])
    )
    article.tags.add(*Tag.objects.filter(name__in=spec["tags"]))
    speakers = {}
    for position, (name, label, description) in enumerate(spec.get("interviewees", [])):
        speakers[label] = Interviewee.objects.create(
            article=article, name=name, label=label, description=description, position=position
        )
    for position, item in enumerate(spec["body"], start=1):
        block = Block(article=article, position=position * 10, kind=item[0])
        if item[0] == "answer":
            block.text, block.speaker = item[1], speakers[item[2]]
        elif item[0] == "photo":
            block.photo, block.size, block.caption = _photo(item[1], photos), item[2], item[3]
        elif item[0] == "pull_quote":
            block.text, block.attribution = item[1], item[2]
        else:
            block.text = item[1]
        block.save()
    if spec.get("correction"):
        Correction.objects.create(
            article=article, text=spec["correction"], created_at=spec["published_at"] + datetime.timedelta(days=1)
        )
    stdout.write(f"  article: {article.title}\n")
    return True


@transaction.atomic
def load(stdout: TextIO) -> None:
    """Create the demo articles, with everything they need, unless they exist already."""
    for fields in AUTHORS:
        author, _ = Author.objects.get_or_create(slug=fields["slug"], defaults=fields)
        if author.photo_id is None:
            author.photo = demo_photo(f"portrait-{author.slug.split('-', 1)[1]}")
            author.save(update_fields=["photo"])
    for fields in COLUMNS:
        Column.objects.get_or_create(slug=fields["slug"], defaults=fields)
    for name, kind, description in TAGS:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            Tag.objects.create(name=name, kind=kind, description=description)
    photos: dict[str, Photo] = {}
    for key in PHOTOS:
        _photo(key, photos)
    created = sum(_make_article(spec, photos, stdout) for spec in [*ARTICLES, *INTERVIEWS])
    stdout.write(f"Articles: {created} created, {len(ARTICLES) + len(INTERVIEWS) - created} already there.\n")
    Tag.objects.filter(name__in=SECTIONS).update(is_section=True)
    for position, slug in enumerate(FRONT_PAGE, start=1):
        article = Article.objects.filter(slug=slug).first()
        if article is not None:
            FrontPagePin.objects.get_or_create(article=article, defaults={"position": position})
    _record_readers()
    demo_translations.load(stdout)


def _record_readers() -> None:
    """A week of daily view counts, so that "Most read" has something to show. A second run keeps them."""
    today = timezone.localdate()
    for rank, slug in enumerate(MOST_READ):
        article = Article.objects.filter(slug=slug).first()
        for days_ago in range(7) if article else ():
            ArticleView.objects.get_or_create(
                article=article,
                day=today - datetime.timedelta(days=days_ago),
                defaults={"count": (900 - rank * 140) // (days_ago + 1)},
            )
