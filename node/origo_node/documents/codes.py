"""Code lists the documents are checked against, kept as data so they can be audited at a glance.

Only lists that are small and stable live here in full (ISO 3166-1 alpha-2, the ASEAN members, the origin
criteria of the ASEAN FTAs). Large or fast-moving lists (UN/LOCODE, Rec. 20 units, Rec. 21 package kinds,
ISO 4217 currencies, HS subheadings) are checked for their shape only; see ``checks``.
"""

from __future__ import annotations

# ISO 3166-1 alpha-2: every officially assigned code (249), as published by the ISO 3166 Maintenance Agency.
# Reserved and user-assigned codes (EU, XK, ZZ...) are deliberately absent: customs documents name countries.
_ISO_3166_ROWS = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
"""
ISO_3166_ALPHA2: frozenset[str] = frozenset(
    code for row in _ISO_3166_ROWS.splitlines() for code in row.split()
)

# The ASEAN member states, Timor-Leste included since October 2025. This is the set a document can name where
# "a member" is meant; who is a member of the *consortium* right now is the chain's business and reaches the
# validators through ``ValidationContext.members``.
ASEAN_MEMBERS: frozenset[str] = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"})

# Origin criteria as written on Form D (box 8). WO and PE describe the whole good, so they stand alone; the
# others may be combined with "+" (e.g. "RVC 40% + CTSH"). RVC carries a percentage and is parsed apart.
STANDALONE_CRITERIA: frozenset[str] = frozenset({"WO", "PE"})
COMBINABLE_CRITERIA: frozenset[str] = frozenset({"CTH", "CTSH", "CTC", "SP", "PSR"})

# HS chapter 77 is reserved for future use; 98 and 99 are left to national use, so name no HS subheading.
HS_CHAPTERS: frozenset[int] = frozenset(range(1, 98)) - {77}
