"""agora survey: create, import (a whole-file check), results. Oracle: the
perception index and its t interval recomputed here with the standard
library (statistics) and the t quantile from a printed table."""
import json
import math
import statistics

# t(0.975, n - 1) from printed tables, for the sample sizes used here
T975 = {4: 2.776445, 5: 2.570582, 9: 2.262157}


OWN = [{"kind": "scale", "text": "Is the market clean?", "low": "Dirty", "high": "Clean"},
       {"kind": "choice", "text": "When do you come?", "options": ["Morning", "Evening"]}]


def created(agora, monaco_db, tmp_path=None, own=None):
    args = []
    if own is not None:
        f = tmp_path / "own.json"
        f.write_text(json.dumps(own))
        args = ["--questions", f]
    r = agora("survey", "create", "way/4227203", "--title", "Place d'Armes, autumn",
              "--db", monaco_db, *args)
    assert r.rc == 0, r
    assert "/#/survey/" in r.out
    return 1


def test_import_and_results_match_an_independent_calculation(agora, monaco_db, tmp_path):
    sid = created(agora, monaco_db, tmp_path, OWN)
    # safe_day, safe_night, worry, avoid, safer (choice), own1 (scale), own2 (choice)
    rows = [(5, 4, 3, 5, "lighting;patrols", 1, "1"), (2, 1, 2, 3, "lighting", 5, ""),
            (4, "", 5, 4, "", "", "1;2"), (3, 3, "", "", "nothing", 2, ""),
            (1, 2, 1, 1, "patrols;cameras;lighting", "", "2"),
            ("", "", "", "", "", 4, ""),  # own questions only: a response, no index
            ("", "", "", "", "", "", "")]  # nothing answered: no response
    csv = tmp_path / "responses.csv"
    csv.write_text("safe_day,safe_night,worry,avoid,safer,own1,own2\n" +
                   "".join(",".join(str(v) for v in row) + "\n" for row in rows))
    r = agora("survey", "import", sid, csv, "--db", monaco_db)
    assert r.rc == 0, r
    assert "6 responses imported into survey 1 (rows with no answer left out: 1)" in r.out
    r = agora("survey", "results", sid, "--json", "--db", monaco_db)
    assert r.rc == 0, r
    got = json.loads(r.out)["tally"]
    idx = []  # the standard scale questions only: never own1
    for row in rows:
        vals = [100 * (v - 1) / 4 for v in row[:4] if v != ""]
        if vals:
            idx.append(sum(vals) / len(vals))
    n = len(idx)
    mean = statistics.mean(idx)
    half = T975[n - 1] * statistics.stdev(idx) / math.sqrt(n)
    assert got["responses"] == 6 and got["respondents"] == n == 5
    assert math.isclose(got["index"], mean, abs_tol=1e-2)
    assert math.isclose(got["lo"], max(0, mean - half), abs_tol=1e-2)
    assert math.isclose(got["hi"], min(100, mean + half), abs_tol=1e-2)
    q = {x["id"]: x for x in got["questions"]}
    assert q["safe_day"]["n"] == 5 and math.isclose(q["safe_day"]["mean"], 15 / 5)
    assert q["safe_day"]["counts"] == [1, 1, 1, 1, 1]
    assert q["safe_night"]["n"] == 4
    safer = {o["id"]: o["count"] for o in q["safer"]["options"]}
    assert q["safer"]["n"] == 4  # empty cells are no answer
    assert safer["lighting"] == 3 and safer["patrols"] == 2 and safer["cameras"] == 1
    assert safer["nothing"] == 1 and safer["traffic"] == 0
    assert q["own1"]["own"] and q["own1"]["text"] == "Is the market clean?"
    assert q["own1"]["n"] == 4 and math.isclose(q["own1"]["mean"], 12 / 4)
    assert [o["count"] for o in q["own2"]["options"]] == [2, 2]
    r = agora("survey", "results", sid, "--db", monaco_db)
    assert "Perception index" in r.out and "5 respondents" in r.out
    assert "Better lighting" in r.out and "Is the market clean?  [own]" in r.out


def test_own_questions_are_checked_before_anything_is_stored(agora, monaco_db, tmp_path,
                                                             db_query):
    for own, want in [({"kind": "scale"}, "expected an array"),
                      ([{"kind": "choice", "text": "x", "options": ["one"]}],
                       "questions[1].options: expected 2 to 12 options"),
                      ([{"kind": "scale", "text": "x", "low": "a"}], "questions[1].high")]:
        f = tmp_path / "own.json"
        f.write_text(json.dumps(own))
        r = agora("survey", "create", "way/4227203", "--title", "T", "--questions", f,
                  "--db", monaco_db)
        assert r.rc != 0 and str(f) in r.err and want in r.err, (own, r.err)
    assert db_query(monaco_db, "SELECT count(*) FROM surveys")[0][0] == 0


def test_a_closed_survey_says_so_and_can_reopen(agora, monaco_db, db_query):
    sid = created(agora, monaco_db)
    r = agora("survey", "close", sid, "--db", monaco_db)
    assert r.rc == 0 and "closed" in r.out, r
    assert db_query(monaco_db, "SELECT open FROM surveys")[0][0] == 0
    assert "closed" in agora("survey", "list", "--db", monaco_db).out
    assert agora("survey", "reopen", sid, "--db", monaco_db).rc == 0
    assert db_query(monaco_db, "SELECT open FROM surveys")[0][0] == 1
    actions = [a for (a,) in db_query(monaco_db, "SELECT action FROM audit ORDER BY id")]
    assert actions[-2:] == ["survey.close", "survey.open"]
    r = agora("survey", "close", "99", "--db", monaco_db)
    assert r.rc != 0 and "survey 99" in r.err


def test_bad_files_are_refused_whole_naming_line_and_column(agora, monaco_db, tmp_path,
                                                            db_query):
    sid = created(agora, monaco_db)
    cases = [
        ("safe_day,colour\n3,blue\n", "1: column 2: \"colour\" is not a question"),
        ("safe_day,safe_night\n3,4\n2,9\n", ":3: column 2 (safe_night): \"9\": expected"),
        ("safe_day,safe_night\n3,4\n2\n", ":3: 1 fields, the header has 2"),
        ("safe_day,safe_day\n3,4\n", "safe_day given twice"),
        ("safe_day,safer\n3,lighting;bananas\n", ":2: column 2 (safer): \"lighting;bananas\""),
        ("safer\nlighting;lighting\n", "each once"),
        ("", "empty file"),
    ]
    for text, want in cases:
        f = tmp_path / "bad.csv"
        f.write_text(text)
        r = agora("survey", "import", sid, f, "--db", monaco_db)
        assert r.rc == 2, (text, r)
        assert want in r.err, (want, r.err)
    # nothing was stored by any of them
    assert db_query(monaco_db, "SELECT count(*) FROM survey_responses")[0][0] == 0


def test_responses_keep_no_personal_data(agora, monaco_db, tmp_path, db_query):
    sid = created(agora, monaco_db)
    f = tmp_path / "r.csv"
    f.write_text("safe_day\n4\n")
    assert agora("survey", "import", sid, f, "--db", monaco_db).rc == 0
    cols = [c[1] for c in db_query(monaco_db, "PRAGMA table_info(survey_responses)")]
    assert cols == ["id", "survey_id", "day", "source", "answers"]
    day, answers = db_query(monaco_db, "SELECT day, answers FROM survey_responses")[0]
    assert len(day) == 10 and json.loads(answers) == {"safe_day": 4}
