"""agora survey: create, import (a whole-file check), results. Oracle: the
perception index and its t interval recomputed here with the standard
library (statistics) and the t quantile from a printed table."""
import json
import math
import statistics

# t(0.975, n - 1) from printed tables, for the sample sizes used here
T975 = {4: 2.776445, 5: 2.570582, 9: 2.262157}


def created(agora, monaco_db):
    r = agora("survey", "create", "way/4227203", "--title", "Place d'Armes, autumn",
              "--db", monaco_db)
    assert r.rc == 0, r
    assert "/survey/" in r.out
    return 1


def test_import_and_results_match_an_independent_calculation(agora, monaco_db, tmp_path):
    sid = created(agora, monaco_db)
    rows = [(5, 4, 3, 5), (2, 1, 2, 3), (4, "", 5, 4), (3, 3, "", ""), (1, 2, 1, 1),
            ("", "", "", "")]  # the last answered nothing: no index
    csv = tmp_path / "responses.csv"
    csv.write_text("safe_day,safe_night,worry,avoid\n" +
                   "".join(",".join(str(v) for v in row) + "\n" for row in rows))
    r = agora("survey", "import", sid, csv, "--db", monaco_db)
    assert r.rc == 0, r
    assert "6 responses imported" in r.out
    r = agora("survey", "results", sid, "--json", "--db", monaco_db)
    assert r.rc == 0, r
    got = json.loads(r.out)
    idx = []
    for row in rows:
        vals = [100 * (v - 1) / 4 for v in row if v != ""]
        if vals:
            idx.append(sum(vals) / len(vals))
    n = len(idx)
    mean = statistics.mean(idx)
    half = T975[n - 1] * statistics.stdev(idx) / math.sqrt(n)
    assert got["responses"] == 6 and got["respondents"] == n == 5
    assert math.isclose(got["index"], mean, abs_tol=1e-4)
    assert math.isclose(got["lo"], max(0, mean - half), abs_tol=1e-3)
    assert math.isclose(got["hi"], min(100, mean + half), abs_tol=1e-3)
    q = {x["id"]: x for x in got["questions"]}
    assert q["safe_day"]["n"] == 5 and math.isclose(q["safe_day"]["mean"], 15 / 5)
    assert q["safe_night"]["n"] == 4
    r = agora("survey", "results", sid, "--db", monaco_db)
    assert "Perception index" in r.out and "5 respondents" in r.out


def test_bad_files_are_refused_whole_naming_line_and_column(agora, monaco_db, tmp_path,
                                                            db_query):
    sid = created(agora, monaco_db)
    cases = [
        ("safe_day,colour\n3,blue\n", "1: column 2: \"colour\" is not a question"),
        ("safe_day,safe_night\n3,4\n2,9\n", ":3: column 2 (safe_night): \"9\": expected"),
        ("safe_day,safe_night\n3,4\n2\n", ":3: 1 fields, the header has 2"),
        ("safe_day,safe_day\n3,4\n", "safe_day given twice"),
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
