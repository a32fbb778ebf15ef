"""agora training: the content of data/training reads in five languages that
agree, a broken copy is refused naming the file, and progress reads the
store."""
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_content_reads_and_the_languages_agree(agora):
    r = agora("training", "check", REPO / "data")
    assert r.rc == 0, r
    assert "4 modules" in r.out
    r = agora("training", "list", "--lang", "fr")
    assert r.rc == 0, r
    assert "m4-02    practical" in r.out
    assert agora("training", "list", "--lang", "xx").rc == 2


def test_a_translation_that_disagrees_is_refused(agora, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "training", data / "training")
    f = data / "training" / "m1" / "01-routine-activity.it.md"
    text = f.read_text(encoding="utf-8")
    # the first right answer of the Italian lesson moved to the option before it
    i = text.index("- [x] ")
    j = text.rindex("- [ ] ", 0, i)
    text = text[:j] + "- [x] " + text[j + 6:i] + "- [ ] " + text[i + 6:]
    f.write_text(text, encoding="utf-8")
    r = agora("training", "check", data)
    assert r.rc == 2, r
    assert "01-routine-activity.it.md" in r.err and "differs from the English" in r.err
    f.unlink()
    r = agora("training", "check", data)
    assert r.rc != 0 and "01-routine-activity.it.md: missing" in r.err


def test_progress_of_a_learner_who_has_not_begun(agora, monaco_db, tmp_path):
    pw = tmp_path / "pw"
    pw.write_text("a long enough password\n")
    assert agora("user", "add", "learner", "--password-file", pw, "--db", monaco_db).rc == 0
    r = agora("training", "progress", "learner", "--db", monaco_db)
    assert r.rc == 0, r
    assert "m1  0 of 5 lessons done, self-evaluation not begun" in r.out
    assert "practical not done" in r.out
    assert "certificate comes when every module is passed" in r.out
    r = agora("training", "progress", "nobody-here", "--db", monaco_db)
    assert r.rc == 2 and "no such user" in r.err
