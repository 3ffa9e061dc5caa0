"""Code lists the documents are checked against, kept as data so they can be audited at a glance.

Only lists that are small and stable live here in full (ISO 3166-1 alpha-2, the ASEAN members, the origin
criteria of the ASEAN FTAs, the UN/ECE Rec. 19 transport modes). Large or fast-moving lists (UN/LOCODE,
Rec. 20 units, Rec. 21 package kinds, ISO 4217 currencies, HS subheadings) are checked for their shape only
(see ``checks``); the ASEAN members' main ports are listed by name, to name them in what officers read.
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

# UN/ECE Recommendation 19, codes for modes of transport (the one-digit level customs declarations use).
TRANSPORT_MODES: dict[str, str] = {
    "0": "mode not specified",
    "1": "maritime",
    "2": "rail",
    "3": "road",
    "4": "air",
    "5": "mail",
    "6": "multimodal",
    "7": "fixed installation (pipeline, power line)",
    "8": "inland waterway",
    "9": "mode not applicable",
}
#: The modes whose carriage is named by a vessel (sea, inland water) or a flight (air).
NAMED_CARRIER_MODES: frozenset[str] = frozenset({"1", "4", "8"})

# UN/LOCODEs of the ASEAN members' main sea ports and airports, with the names officers know them by. Any
# assigned LOCODE is accepted (this list is not a rule); it names the ports in what the node tells an officer.
ASEAN_PORTS: dict[str, str] = {
    "BNBWN": "Bandar Seri Begawan",
    "BNMUA": "Muara",
    "IDBLW": "Belawan",
    "IDDUM": "Dumai",
    "IDJKT": "Jakarta (Tanjung Priok)",
    "IDSRG": "Semarang",
    "IDSUB": "Surabaya",
    "KHKOS": "Sihanoukville (Kampong Saom)",
    "KHPNH": "Phnom Penh",
    "LAVTE": "Vientiane",
    "MMRGN": "Yangon",
    "MYBKH": "Bukit Kayu Hitam (road border)",
    "MYPEN": "Penang",
    "MYPKG": "Port Klang",
    "MYTPP": "Tanjung Pelepas",
    "PHBTG": "Batangas",
    "PHCEB": "Cebu",
    "PHMNL": "Manila",
    "SGSIN": "Singapore",
    "THBKK": "Bangkok",
    "THLCH": "Laem Chabang",
    "THSAO": "Sadao (road border)",
    "TLDIL": "Dili",
    "VNCMT": "Cai Mep",
    "VNDAD": "Da Nang",
    "VNHPH": "Hai Phong",
    "VNSGN": "Ho Chi Minh City",
}

# UN/ECE Recommendation 21 package kinds a Form D names most (box 7 prints the words, not the code): singular
# and plural. A code not listed here is printed as it is.
PACKAGE_KINDS: dict[str, tuple[str, str]] = {
    "BA": ("barrel", "barrels"),
    "BE": ("bundle", "bundles"),
    "BG": ("bag", "bags"),
    "BL": ("bale", "bales"),
    "BX": ("box", "boxes"),
    "CN": ("container", "containers"),
    "CR": ("crate", "crates"),
    "CS": ("case", "cases"),
    "CT": ("carton", "cartons"),
    "DR": ("drum", "drums"),
    "JR": ("jar", "jars"),
    "NE": ("unpacked", "unpacked"),
    "PK": ("package", "packages"),
    "PX": ("pallet", "pallets"),
    "RL": ("reel", "reels"),
    "RO": ("roll", "rolls"),
    "SA": ("sack", "sacks"),
    "TN": ("tin", "tins"),
    "VL": ("bulk, liquid", "bulk, liquid"),
    "VO": ("bulk, solid, large particles", "bulk, solid, large particles"),
    "VR": ("bulk, solid, granular particles", "bulk, solid, granular particles"),
    "VY": ("bulk, solid, fine particles", "bulk, solid, fine particles"),
}
