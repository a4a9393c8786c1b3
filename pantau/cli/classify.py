"""The classifier from the command line: ``pantau classify`` (texts in, JSON verdicts out),
``pantau reclassify`` (stored items again), ``pantau train`` and ``pantau evaluate``.

Training and evaluation live in :mod:`classify.pipeline`, re-scoring stored items in
:mod:`pantau.reclassify`; this module loads the model, reads the input and prints the reports.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from pantau.cli.common import DB_OPTION, QUIET_OPTION_HELP, configured_region, err, fail, open_repository, out, \
    progress_display


def classify_command(
    text: Optional[str] = typer.Argument(None, help="the text to classify"),
    jsonl: Optional[Path] = typer.Option(None, "--jsonl", help='file of {"id": ..., "text": ...} lines; - for stdin'),
    region: Optional[str] = typer.Option(None, "--region", help="Kemendagri code of the kabupaten/kota (default: the sources file's region)"),
    model: Optional[Path] = typer.Option(None, "--model", help="a saved model folder (default: the active model)"),
):
    """Classify one text, or every line of a JSONL file; prints one JSON object per input."""
    from classify.pipeline import classification

    if (text is None) == (jsonl is None):
        raise fail("give either a TEXT or --jsonl FILE")
    nlp = _load_model(model, region)
    if text is not None:
        rows = [{"id": None, "text": text}]
    else:
        handle = sys.stdin if str(jsonl) == "-" else open(jsonl, encoding="utf-8")
        rows = []
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row.get("text"), str):
                    raise ValueError("no text")
            except (ValueError, AttributeError) as exc:
                raise fail(f"{jsonl}:{number}: expected a JSON object with a \"text\" string ({exc})")
            rows.append(row)
    for row, doc in zip(rows, nlp.pipe(row["text"] for row in rows)):
        result = {"id": row.get("id"), **classification(doc)}
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


def _load_model(model: Optional[Path], region: Optional[str]):
    from classify.pipeline import load_pipeline

    try:
        return load_pipeline(model, region=region or configured_region())
    except FileNotFoundError as exc:
        raise fail(str(exc), 1)
    except Exception as exc:
        raise fail(f"cannot load the model ({exc.__class__.__name__}: {exc}); "
                   "run `pantau train`, or delete models/ACTIVE to use the shipped model", 1)



def reclassify(
    everything: bool = typer.Option(False, "--all", help="re-score every item still awaiting review, not only unclassified ones"),
    model: Optional[Path] = typer.Option(None, "--model", help="a saved model folder (default: the active model)"),
    db: Optional[str] = DB_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help=QUIET_OPTION_HELP),
):
    """Classify stored items with the active model: those the crawl stored unclassified, or
    (--all) every item awaiting review, e.g. after `pantau train` activated a better model."""
    from pantau.reclassify import reclassify_stored

    repo = open_repository(db)
    nlp = _load_model(model, None)
    total = repo.count_items_to_classify(everything_unreviewed=everything)
    with progress_display(quiet) as progress:
        task = progress.add_task("reclassify", total=total, new=0, dup=0, errors=0) if progress else None
        result = reclassify_stored(repo, nlp, everything=everything,
                                   progress=(lambda done: progress.update(task, completed=done)) if progress else None)
    out.print(f"Classified {result.classified} item(s) with model {nlp.meta.get('pantau_model_version')}: "
              f"{result.complaints} complaint(s), "
              f"{result.unsure} 'perlu dicek' (the model was unsure; they wait for review too).")


def train(
    region: Optional[str] = typer.Option(None, "--region", help="region the place component is built for"),
    activate: bool = typer.Option(True, "--activate/--no-activate", help="make the new model the active one if it is not worse"),
    ship: bool = typer.Option(False, "--ship", help="write the model into the package (classify/model) for a release"),
    with_reviews: bool = typer.Option(False, "--with-reviews", help="also learn from staff decisions (approved, rejected, edited items) in the database"),
    db: Optional[str] = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
):
    """Train the complaint and category classifiers on the shipped corpus (and, with
    --with-reviews, staff decisions); write a new model version."""
    from classify.versions import train_and_save

    if ship and with_reviews:
        raise fail("--ship builds the package's model from the shipped corpus only; drop --with-reviews")
    reviews = None
    if with_reviews:
        repo = open_repository(db)
        try:
            reviews = repo.review_examples()
        except Exception as exc:
            raise fail(f"could not read the staff decisions: {exc}", 1)
        finally:
            repo.close()
    report = train_and_save(region=region or configured_region(), activate=activate, log=err.print, ship=ship,
                            reviews=reviews)
    if as_json:
        out.print_json(json.dumps(report, ensure_ascii=False))
        return
    _print_report(report)
    if "reviews" in report:
        _print_reviews(report["reviews"])


def _print_reviews(section: dict) -> None:
    """The second section of `pantau train --with-reviews`: the recent-reviews slice."""
    def value(number) -> str:
        return "-" if number is None else f"{number:.3f}"

    out.print()
    out.print("[bold]Staff decisions[/]", highlight=False)
    if not section["examples"]:
        out.print("No reviewed items in the database yet: the model above is trained on the shipped corpus only. "
                  "Approve, reject or edit items in the web interface, then train again.", highlight=False)
        return
    skipped = ", ".join(f"{reason} {count}" for reason, count in section["skipped"].items())
    out.print(f"{section['examples']} reviewed item(s): {section['used']} trained on (weight {section['weight']:g}), "
              f"{section['held_out']} most recent held out" + (f"; left out: {skipped}" if skipped else ""),
              highlight=False)
    if not section["n"]:
        out.print("Too few decisions to hold any out: no recent-reviews score yet.", highlight=False)
        return
    table = Table(title=f"Recent reviews: the {section['n']} latest decisions (not trained on)")
    for column in ("model", "complaint F1", "complaint accuracy", "category accuracy", "texts"):
        table.add_column(column, justify="left" if column == "model" else "right")
    rows = [("new", section)]
    if section.get("active_model"):
        rows.append((f"active before ({section['active_model']['model_version']})", section["active_model"]))
    for name, row in rows:
        table.add_row(name, value(row["complaint_f1"]), value(row["complaint_accuracy"]),
                      value(row["category_accuracy"]), f"{row['n']} ({row['complaints']} complaints)")
    out.print(table)
    for error in section.get("worst_errors", []):
        out.print(f"  {error['source']} gold={'complaint' if error['gold'] else 'not'} score={error['score']}: "
                  f"{error['text']}", highlight=False)


def evaluate(
    model: Optional[Path] = typer.Option(None, "--model", help="a saved model folder (default: the active model)"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
):
    """Per-class precision/recall/F1, confusion, region accuracy and worst errors on the held-out
    test set; and, when ../shared/realtexts exists (or $PANTAU_REALTEXTS), the same model on real
    texts nobody on the team wrote (bandung dev/test halves, agency replies, SmSA reviews)."""
    from classify.versions import evaluate_real, evaluate_saved

    try:
        report = evaluate_saved(model)
        report["real"] = evaluate_real(model)
    except FileNotFoundError as exc:
        raise fail(str(exc), 1)
    if as_json:
        out.print_json(json.dumps(report, ensure_ascii=False))
        return
    _print_report(report)
    _print_real(report["real"])


def _print_real(real: dict | None) -> None:
    from classify.realtexts import missing_message

    if real is None:
        out.print(missing_message())
        return
    table = Table(title=f"Real texts (threshold {real['threshold']:.2f}; not written by the team)")
    for column in ("set", "texts", "precision", "recall", "F1", "ROC AUC"):
        table.add_column(column, justify="left" if column == "set" else "right")
    for half in ("bandung_dev", "bandung_test"):
        row = real[half]
        table.add_row(half.replace("_", " ") + " half", str(row["n"]), f"{row['precision']:.3f}",
                      f"{row['recall']:.3f}", f"{row['f1']:.3f}", f"{row['roc_auc']:.3f}")
    out.print(table)
    out.print(f"Agency replies called complaints: {real['replies_called_complaint']:.1%}; "
              f"SmSA negative reviews called complaints: {real['smsa_fp_rate']:.1%}; "
              f"calibration gap on the dev half: {real['calibration_gap_dev']:.3f}")


def _print_report(report: dict) -> None:
    out.print(f"Model {report['model_version']} on {report['test_records']} held-out texts")
    for title, key in (("Complaint or not", "complaint"), ("Category (complaints only)", "category")):
        table = Table(title=title)
        for column in ("class", "precision", "recall", "F1", "support"):
            table.add_column(column, justify="left" if column == "class" else "right")
        for label, row in report[key].items():
            table.add_row(label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", str(row["support"]))
        out.print(table)
    out.print(f"Category accuracy: {report['category_accuracy']:.3f}")
    for title, key in (("Confusion: complaint (rows: truth, columns: predicted)", "complaint_matrix"),
                       ("Confusion: category (rows: truth, columns: predicted)", "category_matrix")):
        matrix = report.get(key)
        if not matrix:
            continue
        table = Table(title=title)
        table.add_column("")
        short = [label[:6] for label in matrix["labels"]]
        for label in short:
            table.add_column(label, justify="right")
        for label, row in zip(matrix["labels"], matrix["rows"]):
            table.add_row(label, *[str(n) if n else "·" for n in row])
        out.print(table)
    if "region_accuracy" in report:
        out.print(f"Region accuracy: {report['region_accuracy']:.3f} on {report['region_records']} texts with a place label")
    if report.get("category_confusion"):
        out.print("Most confused categories: " + ", ".join(f"{k} ({v})" for k, v in list(report["category_confusion"].items())[:8]))
    for error in report.get("worst_errors", [])[:10]:
        out.print(f"  {error['source']} gold={'complaint' if error['gold'] else 'not'} score={error['score']}: {error['text']}",
                  highlight=False)

