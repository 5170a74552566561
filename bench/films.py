"""The fake upstream's catalogue: real films with plausible figures, chosen for the traps.

Remakes sharing a title, original vs English titles, stylised titles, one-letter titles, a
film with no ratings yet, an obscure exact-title decoy for "Seven", Solaris (which TMDB and
OMDb rank differently), Venom (critics against the audience) and Crash (a service's record
mixed up with a namesake). Figures are illustrative, not live data.
"""

from __future__ import annotations

from typing import Any

# (imdb, tmdb, qid, title, original, year, runtime, director, imdb_rating, imdb_votes,
#  rt, metacritic, tmdb_avg, tmdb_votes, popularity, alternative titles)
# fmt: off
_ROWS: list[tuple[Any, ...]] = [
    ("tt0133093", 603, "Q83495", "The Matrix", None, 1999, 136, "Lana Wachowski, Lilly Wachowski", 8.7, 2112345, 83, 73, 8.2, 26012, 80.5, ()),
    ("tt0087182", 841, "Q189600", "Dune", None, 1984, 137, "David Lynch", 6.3, 169234, 36, 41, 6.2, 3012, 25.1, ()),
    ("tt1160419", 438631, "Q63985561", "Dune", None, 2021, 155, "Denis Villeneuve", 8.0, 812345, 83, 74, 7.8, 12012, 90.3, ("Dune: Part One",)),
    ("tt0084787", 1091, "Q110206", "The Thing", None, 1982, 109, "John Carpenter", 8.2, 471234, 84, 57, 8.1, 7012, 40.2, ()),
    ("tt0905372", 60935, "Q1048488", "The Thing", None, 2011, 103, "Matthijs van Heijningen Jr.", 6.2, 141234, 35, 49, 6.3, 3512, 22.0, ()),
    ("tt0364569", 670, "Q491891", "Oldboy", "올드보이", 2003, 120, "Park Chan-wook", 8.4, 634567, 82, 77, 8.2, 8512, 33.0, ("Old Boy",)),
    ("tt1321511", 87516, "Q1330418", "Oldboy", None, 2013, 104, "Spike Lee", 5.7, 91234, 39, 49, 5.8, 1712, 15.0, ()),
    ("tt0054215", 539, "Q163038", "Psycho", None, 1960, 109, "Alfred Hitchcock", 8.5, 723456, 96, 97, 8.4, 10012, 35.0, ()),
    ("tt0155975", 11252, "Q1063346", "Psycho", None, 1998, 105, "Gus Van Sant", 4.6, 47123, 39, 47, 5.1, 812, 10.0, ()),
    ("tt0110357", 8587, "Q36479", "The Lion King", None, 1994, 88, "Roger Allers, Rob Minkoff", 8.5, 1123456, 93, 88, 8.3, 18012, 70.0, ()),
    ("tt6105098", 420818, "Q27952436", "The Lion King", None, 2019, 118, "Jon Favreau", 6.8, 267123, 52, 55, 7.1, 10512, 40.0, ()),
    # Solaris: TMDB ranks 1972 first (more popular there), OMDb's search 2002 (more IMDb votes) —
    # the resolvers disagree, as they do for the real films.
    ("tt0069293", 593, "Q309263", "Solaris", "Солярис", 1972, 167, "Andrei Tarkovsky", 8.0, 94123, 92, 93, 7.8, 1612, 18.0, ()),
    ("tt0307479", 2103, "Q1139378", "Solaris", None, 2002, 99, "Steven Soderbergh", 6.2, 104123, 67, 65, 6.0, 1512, 14.0, ()),
    ("tt0054135", 299, "Q1130958", "Ocean's Eleven", "Ocean's 11", 1960, 127, "Lewis Milestone", 6.5, 25123, 48, 47, 6.4, 512, 9.0, ("Ocean's 11",)),
    ("tt0240772", 161, "Q232000", "Ocean's Eleven", None, 2001, 116, "Steven Soderbergh", 7.7, 612345, 83, 74, 7.4, 12512, 45.0, ("Ocean's 11",)),
    ("tt0047034", 1678, "Q200873", "Godzilla", "ゴジラ", 1954, 96, "Ishirō Honda", 7.5, 37123, 93, 78, 7.4, 1012, 15.0, ("Gojira",)),
    ("tt0120685", 929, "Q1051596", "Godzilla", None, 1998, 139, "Roland Emmerich", 5.4, 212345, 20, 32, 5.7, 4512, 25.0, ()),
    ("tt0831387", 124905, "Q746733", "Godzilla", None, 2014, 123, "Gareth Edwards", 6.4, 432123, 76, 62, 6.3, 8812, 35.0, ()),
    ("tt0029606", 22692, "Q1129468", "A Star Is Born", None, 1937, 111, "William A. Wellman", 7.3, 9123, 91, None, 6.8, 212, 6.0, ()),
    ("tt0047522", 3111, "Q1424553", "A Star Is Born", None, 1954, 176, "George Cukor", 7.5, 19123, 97, 89, 7.2, 312, 7.0, ()),
    ("tt0075265", 14011, "Q1130966", "A Star Is Born", None, 1976, 139, "Frank Pierson", 6.1, 13123, 32, 59, 6.1, 312, 7.5, ()),
    ("tt1517451", 332562, "Q27959247", "A Star Is Born", None, 2018, 136, "Bradley Cooper", 7.6, 412345, 90, 88, 7.5, 11512, 40.0, ()),
    ("tt0211915", 194, "Q484048", "Amélie", "Le Fabuleux Destin d'Amélie Poulain", 2001, 122, "Jean-Pierre Jeunet", 8.3, 793456, 89, 69, 7.9, 11012, 30.0, ("Amelie",)),
    ("tt0245429", 129, "Q155653", "Spirited Away", "千と千尋の神隠し", 2001, 125, "Hayao Miyazaki", 8.6, 876543, 96, 96, 8.5, 16512, 90.0, ()),
    ("tt0190332", 146, "Q208108", "Crouching Tiger, Hidden Dragon", "臥虎藏龍", 2000, 120, "Ang Lee", 7.9, 278123, 98, 94, 7.4, 3012, 25.0, ()),
    ("tt1139797", 13310, "Q862262", "Let the Right One In", "Låt den rätte komma in", 2008, 115, "Tomas Alfredson", 7.8, 231234, 98, 82, 7.5, 3312, 20.0, ()),
    ("tt0114369", 807, "Q190908", "Se7en", None, 1995, 127, "David Fincher", 8.6, 1812345, 83, 65, 8.4, 21012, 60.0, ("Seven",)),
    ("tt0079879", 93022, "Q98765432", "Seven", None, 1979, 100, "Andy Sidaris", 5.0, 1234, None, None, 5.2, 23, 1.5, ()),
    ("tt0910970", 10681, "Q104905", "WALL·E", None, 2008, 98, "Andrew Stanton", 8.4, 1212345, 95, 95, 8.1, 19012, 55.0, ("WALL-E", "Wall-E")),
    ("tt0022100", 832, "Q156597", "M", None, 1931, 117, "Fritz Lang", 8.3, 168123, 100, None, 8.0, 2312, 14.0, ()),
    ("tt0472033", 12244, "Q220394", "9", None, 2009, 79, "Shane Acker", 7.0, 152123, 57, 60, 6.8, 3312, 18.0, ()),
    ("tt1049413", 14160, "Q174811", "Up", None, 2009, 96, "Pete Docter", 8.3, 1134567, 98, 88, 7.9, 20012, 65.0, ()),
    ("tt0083658", 78, "Q184843", "Blade Runner", None, 1982, 117, "Ridley Scott", 8.1, 818858, 89, 84, 7.9, 14012, 50.0, ()),
    ("tt0113277", 949, "Q212806", "Heat", None, 1995, 170, "Michael Mann", 8.3, 712345, 88, 76, 7.9, 7012, 30.0, ()),
    ("tt0093164", 42013, "Q1137392", "Heat", None, 1986, 101, "Dick Richards", 5.3, 4123, None, None, 5.1, 62, 2.0, ()),
    # Critics against the audience: RT 30% and Metacritic 35 against IMDb 6.6 and TMDB 6.8.
    ("tt1270797", 335983, "Q23013036", "Venom", None, 2018, 112, "Ruben Fleischer", 6.6, 512345, 30, 35, 6.8, 15012, 45.0, ()),
    # One source describes another film under this IMDb id (see QUIRKS).
    ("tt0375679", 1640, "Q212144", "Crash", None, 2004, 112, "Paul Haggis", 7.7, 462345, 74, 69, 7.0, 4512, 20.0, ()),
    ("tt9999990", 999990, "Q99999990", "Brand New Release", None, 2026, 101, "Someone New", None, None, None, None, 0.0, 0, 5.0, ()),
    # For `movieagg taste` on real published exports (tests/corpus/SOURCES): films rated in
    # patrickmjones' Letterboxd ratings.csv and in the 2021 IMDb ratings export. IMDb rating,
    # votes, runtime and directors of the IMDb rows are that export's own columns; the other
    # figures are illustrative, and the Wikidata ids of these rows are placeholders (Q970000xx).
    ("tt0081505", 694, "Q97000001", "The Shining", None, 1980, 146, "Stanley Kubrick", 8.4, 1012345, 83, 68, 8.2, 17012, 60.0, ()),
    ("tt6751668", 496243, "Q97000002", "Parasite", "기생충", 2019, 132, "Bong Joon Ho", 8.5, 912345, 99, 96, 8.5, 18012, 70.0, ()),
    ("tt2944198", 284536, "Q97000003", "Backcountry", None, 2014, 92, "Adam MacDonald", 6.0, 16123, 86, 59, 5.9, 412, 8.0, ()),
    ("tt9243804", 559907, "Q97000004", "The Green Knight", None, 2021, 130, "David Lowery", 6.6, 121234, 89, 85, 6.5, 3012, 30.0, ()),
    ("tt0100150", 379, "Q97000005", "Miller's Crossing", None, 1990, 115, "Joel Coen, Ethan Coen", 7.7, 130579, 93, 66, 7.5, 2012, 12.0, ()),
    ("tt1001526", 38055, "Q97000006", "Megamind", None, 2010, 95, "Tom McGrath", 7.2, 239180, 73, 63, 6.9, 9012, 40.0, ()),
    ("tt0100157", 1700, "Q97000007", "Misery", None, 1990, 107, "Rob Reiner", 7.8, 194354, 91, 75, 7.7, 4512, 25.0, ()),
    ("tt0100403", 169, "Q97000008", "Predator 2", None, 1990, 108, "Stephen Hopkins", 6.3, 152710, 33, 46, 6.1, 3512, 20.0, ()),
    ("tt0100802", 861, "Q97000009", "Total Recall", None, 1990, 113, "Paul Verhoeven", 7.5, 313205, 82, 57, 7.3, 6012, 30.0, ()),
    ("tt0100814", 9362, "Q97000010", "Tremors", None, 1990, 96, "Ron Underwood", 7.1, 127904, 86, 65, 6.9, 2512, 18.0, ()),
    ("tt1010048", 12405, "Q97000011", "Slumdog Millionaire", None, 2008, 120, "Loveleen Tandan, Danny Boyle", 8.0, 816301, 91, 84, 7.7, 10012, 35.0, ()),
    ("tt0101414", 10020, "Q97000012", "Beauty and the Beast", None, 1991, 84, "Gary Trousdale, Kirk Wise", 8.0, 427193, 94, 95, 7.7, 9512, 45.0, ()),
    ("tt0101420", 25353, "Q97000013", "Begotten", None, 1989, 72, "E. Elias Merhige", 5.8, 10402, 62, None, 5.6, 312, 4.0, ()),
    ("tt1020072", 273895, "Q97000014", "Selma", None, 2014, 128, "Ava DuVernay", 7.5, 89035, 99, 89, 7.5, 2512, 15.0, ()),
    ("tt1022603", 19913, "Q97000015", "(500) Days of Summer", None, 2009, 95, "Marc Webb", 7.7, 486692, 85, 76, 7.3, 10012, 30.0, ()),
    ("tt1024648", 68734, "Q97000016", "Argo", None, 2012, 120, "Ben Affleck", 7.7, 588762, 96, 86, 7.3, 9012, 25.0, ()),
    ("tt0102511", 2742, "Q97000017", "Naked Lunch", None, 1991, 115, "David Cronenberg", 7.0, 49048, 69, 75, 6.5, 1012, 10.0, ()),
    ("tt0102685", 1089, "Q97000018", "Point Break", None, 1991, 122, "Kathryn Bigelow", 7.3, 167858, 71, 58, 7.0, 3012, 20.0, ()),
    ("tt1028528", 1991, "Q97000019", "Death Proof", None, 2007, 127, "Quentin Tarantino", 7.0, 277886, 65, 54, 6.6, 6012, 25.0, ()),
    ("tt1028532", 28178, "Q97000020", "Hachi: A Dog's Tale", None, 2009, 93, "Lasse Hallström", 8.1, 265296, 64, 61, 8.0, 5012, 30.0, ()),
    ("tt1029234", 9539, "Q97000021", "Martyrs", None, 2008, 99, "Pascal Laugier", 7.1, 87209, 64, 89, 6.9, 2012, 15.0, ()),
    ("tt0102926", 274, "Q97000022", "The Silence of the Lambs", None, 1991, 118, "Jonathan Demme", 8.6, 1325414, 95, 86, 8.3, 16012, 60.0, ()),
    ("tt0103064", 280, "Q97000023", "Terminator 2: Judgment Day", None, 1991, 137, "James Cameron", 8.5, 1029823, 91, 75, 8.1, 12012, 55.0, ()),
    ("tt1031280", 13186, "Q97000024", "Splinter", None, 2008, 82, "Toby Wilkins", 6.1, 35366, 71, 61, 5.8, 512, 6.0, ()),
    # Anime films (bench/fakeanime.py: AniList and MyAnimeList know them too).
    ("tt5311514", 372058, "Q24836563", "Your Name.", "君の名は。", 2016, 106, "Makoto Shinkai", 8.4, 312345, 98, 79, 8.5, 11012, 60.0, ("Your Name",)),
    ("tt0094625", 149, "Q182789", "Akira", "AKIRA", 1988, 124, "Katsuhiro Otomo", 8.0, 212345, 90, 67, 7.9, 4512, 35.0, ()),
    ("tt0156887", 10494, "Q831323", "Perfect Blue", "パーフェクトブルー", 1997, 81, "Satoshi Kon", 8.0, 112345, 82, 67, 8.2, 2512, 25.0, ()),
    # A film sharing its title with a TV series (bench/series.py: Fargo, 2014–): issue #16.
    ("tt0116282", 275, "Q222720", "Fargo", None, 1996, 98, "Joel Coen", 8.1, 734567, 94, 85, 7.9, 9012, 30.0, ()),
]
# fmt: on

KEYS = (
    "imdb", "tmdb", "qid", "title", "original", "year", "runtime", "director", "imdb_rating",
    "imdb_votes", "rt", "mc", "tmdb_avg", "tmdb_votes", "popularity", "alt_titles",
)  # fmt: skip

# Deliberate traps in one service's answer, by IMDb id: OMDb's record of Crash (2004) carries the
# year and IMDb rating of Cronenberg's Crash (1996) — a record mixed up with a namesake, as real
# services sometimes serve. The aggregator should flag the outlier and doubt the match a little.
QUIRKS: dict[str, dict[str, dict[str, Any]]] = {
    "tt0375679": {"omdb": {"year": 1996, "imdb_rating": 3.9}},
}

FILMS: list[dict[str, Any]] = [
    {**dict(zip(KEYS, row, strict=True)), "quirks": QUIRKS.get(row[0], {})} for row in _ROWS
]


def synthetic(count: int, start: int = 0) -> list[dict[str, Any]]:
    """Deterministic extra films for load and batch benchmarks ("Synthetic Film 00042")."""
    films = []
    for i in range(start, start + count):
        films.append(
            {
                "imdb": f"tt{8000000 + i:07d}",
                "tmdb": 5_000_000 + i,
                "qid": f"Q{90000000 + i}",
                "title": f"Synthetic Film {i:05d}",
                "original": None,
                "year": 1950 + i % 75,
                "runtime": 80 + i % 60,
                "director": f"Director {i % 97}",
                "imdb_rating": round(4 + (i * 37 % 55) / 10, 1),
                "imdb_votes": 100 + i * 13 % 500000,
                "rt": i * 7 % 101,
                "mc": 20 + i * 11 % 80,
                "tmdb_avg": round(4 + (i * 31 % 55) / 10, 1),
                "tmdb_votes": 10 + i * 17 % 20000,
                "popularity": float(i % 100),
                "alt_titles": (),
            }
        )
    return films


def knows(film: dict[str, Any]) -> list[str]:
    """The fake sources that have a rating for ``film`` (what `python -m bench.fakeapi --list` shows)."""
    known = []
    if film["tmdb_votes"]:
        known += ["tmdb", "trakt"]  # the fake's Trakt rating is derived from TMDB's
    if film["imdb_rating"] is not None or film["rt"] is not None or film["mc"] is not None:
        known.append("omdb")
    if film["rt"] is not None or film["mc"] is not None:
        known.append("wikidata")
    from bench.fakeanime import ANIME

    if any(a["imdb"] == film["imdb"] for a in ANIME):
        known += ["anilist", "jikan"]
    return known
