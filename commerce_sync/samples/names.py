"""Word lists for the sample data: a Czech shop's catalogue, people and places, with their diacritics.

Why real Czech: the sync must carry ``Žluťoučký kůň`` through SQL, GraphQL and Windows-1250 XML unharmed,
and grammatical gender matters (``Dřevěná židle`` but ``Dřevěný stůl``), so adjectives come in three forms.
All companies, e-mail domains and people are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# adjective forms: (masculine, feminine, neuter)
Adj = tuple[str, str, str]
GENDER = {"m": 0, "f": 1, "n": 2}


@dataclass(frozen=True)
class Leaf:
    """A leaf category and how to invent its products."""

    key: str
    nouns: tuple[tuple[str, str], ...]  # (noun, gender m/f/n)
    adjectives: tuple[Adj, ...]
    english: tuple[tuple[str, ...], tuple[str, ...]]  # (adjectives, nouns)
    suffixes: tuple[str, ...]
    option: str | None  # which VARIANT_OPTIONS dimension the variants differ in
    price: tuple[int, int]  # CZK incl. VAT
    vat: int  # Czech VAT rate in percent: 21, 12 or 0
    parameters: tuple[str, ...]
    producers: tuple[str, ...]
    noun_first: bool = False  # "Čokoláda hořká" (shop style for food) rather than "Hořká čokoláda"
    english_share: float = 0.3
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)


# (key, name, parent key, position); leaves are described in LEAVES
CATEGORIES: tuple[tuple[str, str, str | None, int], ...] = (
    ("POT", "Potraviny", None, 0),
    ("POT-COK", "Čokolády a sladkosti", "POT", 0),
    ("POT-KAV", "Káva a čaj", "POT", 1),
    ("NAB", "Nábytek", None, 1),
    ("NAB-ZID", "Židle a křesla", "NAB", 0),
    ("NAB-STO", "Stoly", "NAB", 1),
    ("OBL", "Oblečení", None, 2),
    ("OBL-PAN", "Pánské", "OBL", 0),
    ("OBL-PAN-TRI", "Trička a košile", "OBL-PAN", 0),
    ("OBL-DAM", "Dámské", "OBL", 1),
    ("OBL-DAM-SUK", "Sukně a halenky", "OBL-DAM", 0),
    ("HRA", "Hračky", None, 3),
    ("HRA-PLY", "Plyšáci", "HRA", 0),
    ("HRA-DRE", "Dřevěné hračky", "HRA", 1),
    ("KNI", "Knihy", None, 4),
    ("KNI-BEL", "Beletrie", "KNI", 0),
    ("DOM", "Domácnost", None, 5),
    ("DOM-KUC", "Kuchyně", "DOM", 0),
    ("DOM-KUC-HRN", "Hrnky a konvice", "DOM-KUC", 0),
    ("DOM-TEX", "Bytový textil", "DOM", 1),
)

PRODUCERS: tuple[tuple[str, str], ...] = (
    ("PRD-COKO", "Čokoládovna Šťastný s.r.o."),
    ("PRD-PRAZ", "Pražírna U Kolína"),
    ("PRD-DREV", "Dřevovýroba Novák s.r.o."),
    ("PRD-OAK", "Oak & Pine Furniture Ltd."),
    ("PRD-TEXZ", "Textil Žďár a.s."),
    ("PRD-NORD", "Nordic Cotton AB"),
    ("PRD-HRAK", "Hračky Kovář"),
    ("PRD-LIPA", "Nakladatelství Lípa"),
    ("PRD-KERA", "Keramika Bechyně"),
    ("PRD-SMAL", "Smaltovna Hořovice a.s."),
)

SUPPLIERS: tuple[tuple[str, str], ...] = (
    ("DOD-BRNO", "Velkoobchod Brno s.r.o."),
    ("DOD-OSTR", "Distribuce Ostrava a.s."),
    ("DOD-CESU", "Central European Supply GmbH"),
    ("DOD-PLZN", "Plzeňská logistika s.r.o."),
)

LOCATIONS: tuple[tuple[str, str], ...] = (
    ("PRAHA", "Sklad Praha – Hostivař"),
    ("BRNO", "Sklad Brno – Slatina"),
    ("OSTRAVA", "Sklad Ostrava – Hrabová"),
)

VARIANT_OPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "size": ("Velikost", ("S", "M", "L", "XL", "XXL")),
    "colour": ("Barva", ("černá", "bílá", "modrá", "červená", "zelená", "šedá", "žlutá")),
    "weight": ("Hmotnost", ("100 g", "250 g", "500 g", "1 kg")),
    "material": ("Materiál", ("buk", "dub", "ořech", "borovice")),
    "binding": ("Vazba", ("vázaná", "brožovaná", "e-kniha")),
}

LEAVES: tuple[Leaf, ...] = (
    Leaf(
        "POT-COK",
        (("čokoláda", "f"), ("tyčinka", "f"), ("perník", "m"), ("marcipán", "m")),
        (
            ("hořký", "hořká", "hořké"),
            ("mléčný", "mléčná", "mléčné"),
            ("oříškový", "oříšková", "oříškové"),
            ("malinový", "malinová", "malinové"),
            ("bílý", "bílá", "bílé"),
        ),
        (("Dark", "Milk", "Hazelnut", "Raspberry"), ("Chocolate", "Bar", "Gingerbread")),
        ("70 %", "s mořskou solí", "Ekvádor", "Madagaskar", "s mandlemi"),
        "weight",
        (39, 189),
        12,
        ("cocoa", "origin", "weight"),
        ("PRD-COKO",),
        noun_first=True,
    ),
    Leaf(
        "POT-KAV",
        (("káva", "f"), ("čaj", "m"), ("směs", "f")),
        (
            ("zrnkový", "zrnková", "zrnkové"),
            ("mletý", "mletá", "mleté"),
            ("zelený", "zelená", "zelené"),
            ("ovocný", "ovocná", "ovocné"),
            ("bylinný", "bylinná", "bylinné"),
        ),
        (("Roasted", "Green", "Herbal", "Breakfast"), ("Coffee", "Tea", "Blend")),
        ("Brazílie", "Etiopie", "Kolumbie", "Darjeeling", "Jarní louka"),
        "weight",
        (89, 499),
        12,
        ("origin", "weight"),
        ("PRD-PRAZ",),
        noun_first=True,
    ),
    Leaf(
        "NAB-ZID",
        (("židle", "f"), ("křeslo", "n"), ("stolička", "f"), ("lavice", "f")),
        (
            ("dřevěný", "dřevěná", "dřevěné"),
            ("jídelní", "jídelní", "jídelní"),
            ("houpací", "houpací", "houpací"),
            ("čalouněný", "čalouněná", "čalouněné"),
            ("kancelářský", "kancelářská", "kancelářské"),
        ),
        (("Oak", "Beech", "Upholstered", "Rocking"), ("Dining Chair", "Armchair", "Stool", "Bench")),
        ("Lena", "Oskar", "Tara", "Viktor", "Bára"),
        "material",
        (990, 8990),
        21,
        ("material", "dimensions", "weight_kg"),
        ("PRD-DREV", "PRD-OAK"),
    ),
    Leaf(
        "NAB-STO",
        (("stůl", "m"), ("stolek", "m")),
        (
            ("dřevěný", "dřevěná", "dřevěné"),
            ("jídelní", "jídelní", "jídelní"),
            ("konferenční", "konferenční", "konferenční"),
            ("zahradní", "zahradní", "zahradní"),
            ("rozkládací", "rozkládací", "rozkládací"),
        ),
        (("Oak", "Walnut", "Extendable", "Garden"), ("Dining Table", "Coffee Table", "Desk")),
        ("Hugo", "Alma", "Robin", "Sofie"),
        "material",
        (1990, 24990),
        21,
        ("material", "dimensions", "weight_kg"),
        ("PRD-DREV", "PRD-OAK"),
    ),
    Leaf(
        "OBL-PAN-TRI",
        (("tričko", "n"), ("polokošile", "f"), ("košile", "f")),
        (
            ("bavlněný", "bavlněná", "bavlněné"),
            ("sportovní", "sportovní", "sportovní"),
            ("pruhovaný", "pruhovaná", "pruhované"),
            ("lněný", "lněná", "lněné"),
            ("klasický", "klasická", "klasické"),
        ),
        (("Cotton", "Striped", "Linen", "Classic"), ("T-Shirt", "Polo Shirt", "Oxford Shirt")),
        ("Basic", "Comfort", "Slim", "Regular"),
        "size",
        (249, 1490),
        21,
        ("fabric", "colour", "origin"),
        ("PRD-TEXZ", "PRD-NORD"),
    ),
    Leaf(
        "OBL-DAM-SUK",
        (("sukně", "f"), ("halenka", "f"), ("tunika", "f")),
        (
            ("letní", "letní", "letní"),
            ("lněný", "lněná", "lněné"),
            ("květovaný", "květovaná", "květované"),
            ("elegantní", "elegantní", "elegantní"),
            ("pletený", "pletená", "pletené"),
        ),
        (("Summer", "Linen", "Floral", "Knitted"), ("Skirt", "Blouse", "Tunic")),
        ("Anna", "Klára", "Ema", "Nela"),
        "size",
        (390, 2490),
        21,
        ("fabric", "colour", "origin"),
        ("PRD-TEXZ", "PRD-NORD"),
    ),
    Leaf(
        "HRA-PLY",
        (("kůň", "m"), ("medvídek", "m"), ("zajíček", "m"), ("kočka", "f"), ("žirafa", "f")),
        (
            ("žluťoučký", "žluťoučká", "žluťoučké"),
            ("plyšový", "plyšová", "plyšové"),
            ("chlupatý", "chlupatá", "chlupaté"),
            ("mazlivý", "mazlivá", "mazlivé"),
            ("duhový", "duhová", "duhové"),
        ),
        (("Fluffy", "Rainbow", "Cuddly", "Yellow"), ("Horse", "Teddy Bear", "Bunny", "Giraffe")),
        ("mini", "maxi", "20 cm", "35 cm"),
        "colour",
        (149, 990),
        21,
        ("age", "dimensions", "origin"),
        ("PRD-HRAK",),
    ),
    Leaf(
        "HRA-DRE",
        (("vláček", "m"), ("skládačka", "f"), ("autíčko", "n"), ("kačenka", "f")),
        (
            ("dřevěný", "dřevěná", "dřevěné"),
            ("barevný", "barevná", "barevné"),
            ("tahací", "tahací", "tahací"),
            ("malovaný", "malovaná", "malované"),
        ),
        (("Wooden", "Painted", "Pull-along"), ("Train", "Puzzle", "Toy Car", "Duck")),
        ("Krtek", "Šimon", "Bětka", "Domeček"),
        None,
        (199, 1290),
        21,
        ("age", "material", "origin"),
        ("PRD-HRAK", "PRD-DREV"),
    ),
    Leaf(
        "KNI-BEL",
        (("příběh", "m"), ("kniha", "f"), ("vyprávění", "n")),
        (
            ("šumavský", "šumavská", "šumavské"),
            ("zimní", "zimní", "zimní"),
            ("ztracený", "ztracená", "ztracené"),
            ("poslední", "poslední", "poslední"),
            ("tichý", "tichá", "tiché"),
        ),
        (("Silent", "Last", "Lost", "Winter"), ("Story", "Garden", "River", "Letter")),
        ("díl 1", "díl 2", "ze Šumavy", "o Žofii"),
        "binding",
        (199, 549),
        0,
        ("author", "pages"),
        ("PRD-LIPA",),
        english_share=0.2,
    ),
    Leaf(
        "DOM-KUC-HRN",
        (("hrnek", "m"), ("šálek", "m"), ("konvice", "f")),
        (
            ("keramický", "keramická", "keramické"),
            ("smaltovaný", "smaltovaná", "smaltované"),
            ("porcelánový", "porcelánová", "porcelánové"),
            ("modrobílý", "modrobílá", "modrobílé"),
        ),
        (("Enamel", "Ceramic", "Porcelain"), ("Mug", "Cup", "Teapot")),
        ("Puntík", "Babička", "0,3 l", "0,5 l"),
        "colour",
        (129, 890),
        21,
        ("material", "volume", "origin"),
        ("PRD-KERA", "PRD-SMAL"),
    ),
    Leaf(
        "DOM-TEX",
        (("deka", "f"), ("polštář", "m"), ("ubrus", "m"), ("povlečení", "n")),
        (
            ("lněný", "lněná", "lněné"),
            ("bavlněný", "bavlněná", "bavlněné"),
            ("vlněný", "vlněná", "vlněné"),
            ("teplý", "teplá", "teplé"),
        ),
        (("Linen", "Woollen", "Cosy"), ("Blanket", "Pillow", "Tablecloth", "Bedding")),
        ("140×200", "70×90", "Krkonoše", "Proužek"),
        "colour",
        (299, 2990),
        21,
        ("fabric", "dimensions", "origin"),
        ("PRD-TEXZ", "PRD-NORD"),
    ),
)

ORIGINS = ("Česko", "Slovensko", "Německo", "Itálie", "Polsko", "Vietnam", "Portugalsko")
FABRICS = ("bavlna 100 %", "len 100 %", "bavlna 95 %, elastan 5 %", "vlna merino", "polyester")
WOODS = ("buk", "dub", "ořech", "borovice", "bříza")
AUTHORS = ("Božena Šťastná", "Jiří Kolář", "Tereza Růžičková", "Emily Walker", "Ondřej Dvořák")

FEMALE_FIRST = (
    "Jana",
    "Eva",
    "Hana",
    "Anna",
    "Lenka",
    "Kateřina",
    "Lucie",
    "Věra",
    "Alena",
    "Petra",
    "Tereza",
    "Zuzana",
    "Markéta",
    "Jiřina",
    "Božena",
    "Šárka",
)
MALE_FIRST = (
    "Jiří",
    "Jan",
    "Petr",
    "Josef",
    "Pavel",
    "Martin",
    "Tomáš",
    "Jaroslav",
    "Miroslav",
    "Zdeněk",
    "Václav",
    "Michal",
    "František",
    "Lukáš",
    "Ondřej",
    "Štěpán",
)
# (masculine, feminine) surname forms
SURNAMES = (
    ("Novák", "Nováková"),
    ("Svoboda", "Svobodová"),
    ("Dvořák", "Dvořáková"),
    ("Černý", "Černá"),
    ("Procházka", "Procházková"),
    ("Kučera", "Kučerová"),
    ("Veselý", "Veselá"),
    ("Horák", "Horáková"),
    ("Němec", "Němcová"),
    ("Pokorný", "Pokorná"),
    ("Pospíšil", "Pospíšilová"),
    ("Hájek", "Hájková"),
    ("Jelínek", "Jelínková"),
    ("Růžička", "Růžičková"),
    ("Beneš", "Benešová"),
    ("Fiala", "Fialová"),
    ("Sedláček", "Sedláčková"),
    ("Doležal", "Doležalová"),
    ("Kolář", "Kolářová"),
    ("Čermák", "Čermáková"),
    ("Šťastný", "Šťastná"),
    ("Křížek", "Křížková"),
    ("Žák", "Žáková"),
    ("Řezníček", "Řezníčková"),
)
ENGLISH_FIRST = ("John", "Emily", "Oliver", "Sophie", "James", "Charlotte", "Harry", "Grace")
ENGLISH_LAST = ("Smith", "Brown", "Taylor", "Wilson", "Clarke", "Walker", "Wright", "Hughes")
COMPANIES = (
    "Žluťoučký kůň s.r.o.",
    "Kavárna U Lípy",
    "Penzion Šumava",
    "Atelier Růže s.r.o.",
    "Bistro Čtyřlístek",
    "Northwind Traders Ltd.",
)
EMAIL_DOMAINS = ("example.cz", "example.com", "example.org", "example.net")

# (city, zip, country)
CITIES = (
    ("Praha 2", "120 00", "CZ"),
    ("Praha 6", "160 00", "CZ"),
    ("Brno", "602 00", "CZ"),
    ("Ostrava", "702 00", "CZ"),
    ("Plzeň", "301 00", "CZ"),
    ("Olomouc", "779 00", "CZ"),
    ("České Budějovice", "370 01", "CZ"),
    ("Liberec", "460 01", "CZ"),
    ("Hradec Králové", "500 02", "CZ"),
    ("Ústí nad Labem", "400 01", "CZ"),
    ("Bratislava", "811 01", "SK"),
    ("Košice", "040 01", "SK"),
)
STREETS = (
    "Vinohradská",
    "Masarykova",
    "Husova",
    "Nádražní",
    "Komenského",
    "Palackého",
    "Žižkova",
    "Na Příkopě",
    "Sokolská",
    "Štefánikova",
    "Dlouhá",
    "Křižíkova",
    "Újezd",
    "Řeznická",
)
NOTES = (
    "Prosím nezvonit, pes kouše.",
    "Doručit po 16. hodině.",
    "Dárkové balení, prosím.",
    "Please leave at the reception.",
    "Zavolejte předem, děkuji.",
)
