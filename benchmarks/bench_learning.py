"""How fast the classifier learns from the office's own decisions (``make bench-learning``).

A simulated office on a real SQLite database: the bandung **dev-half** tweets (``../shared/
realtexts``, see ``bench_real.py``) arrive in id order as the daily harvest, :data:`PER_DAY` a day;
each is classified by the active model and stored (``Repository.store_article``). A simulated
reviewer — the dataset's own label — decides :data:`DECISIONS_PER_DAY` items a day from the review
queue (items the model calls a complaint or "perlu dicek"), taken in the queue order under test;
approving keeps the model's best category. After every :data:`RETRAIN_EVERY` decisions the model
is retrained exactly as ``pantau train --with-reviews`` does (``train_and_save`` with
``Repository.review_examples()``), and the items still waiting are classified again (``pantau
reclassify``). The learning curve is the bandung **test-half** F1 (never trained on, errors never
looked at) after 0, 100, 200, 500 and 1,000 decisions, for each queue order:

- ``newest`` — newest first, the order the queue ships with;
- ``uncertain`` — the items whose score is nearest the decision threshold first;
- ``random`` — a fixed random order.

The folder missing → a clear message and exit code 0. Results: ``benchmarks/RESULTS-real.md``
(section "Learning from the office") with ``--write``.

    .venv/bin/python benchmarks/bench_learning.py [--orders newest random] [--write]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_real  # noqa: E402
from classify import realtexts  # noqa: E402

PER_DAY = 150
DECISIONS_PER_DAY = 100
RETRAIN_EVERY = 100
CHECKPOINTS = (0, 100, 200, 500, 1000)
ORDERS = ("newest", "uncertain", "random")
START = datetime(2026, 1, 5, 7, 0, tzinfo=timezone.utc)


def _best_category(doc) -> str | None:
    cats = {k: v for k, v in doc.cats.items() if k != "COMPLAINT"}
    return max(cats, key=cats.get) if cats else None


class Office:
    """One simulated office: database, models folder, active pipeline, queue bookkeeping."""

    def __init__(self, folder: Path, order: str):
        from storage.db import upgrade
        from storage.repo import Repository

        self.order = order
        self.url = f"sqlite:///{folder / 'pantau.db'}"
        upgrade(self.url)
        self.repo = Repository(self.url)
        self.user = self.repo.add_user("penilai", "x", "reviewer")
        self.models = folder / "models"
        self.models.mkdir()
        self.rng = random.Random(13)
        self.waiting: dict[int, tuple[float, bool, str | None, datetime, bool]] = {}
        self.load()

    def load(self) -> None:
        from classify.pipeline import active_model_dir, load_pipeline

        self.nlp = load_pipeline(active_model_dir(self.models))
        self.version = self.nlp.get_pipe("textcat").models.version

    def classify(self, texts: list[str]) -> list[dict]:
        from classify.pipeline import classification

        out = []
        for doc in self.nlp.pipe(texts):
            result = classification(doc)
            result["_best_category"] = _best_category(doc)
            out.append(result)
        return out

    def harvest(self, day: int, tweets) -> None:
        results = self.classify([t.text for t in tweets])
        for n, (tweet, result) in enumerate(zip(tweets, results)):
            published = START + timedelta(days=day, minutes=n)
            best = result.pop("_best_category")
            stored = self.repo.store_article({
                "url": f"https://x.example/status/{tweet.id}", "title": "", "text": tweet.text,
                "source": "x-kota", "source_kind": "x", "published_at": published,
                "harvested_at": published + timedelta(minutes=5), "classification": result})
            if stored.created:
                self.waiting[stored.item_id] = (result["complaint_score"],
                                                result["is_complaint"] or result.get("needs_check", False),
                                                best, published, tweet.is_complaint)

    def reclassify(self) -> None:
        ids = list(self.waiting)
        if not ids:
            return
        rows = {item_id: text for item_id, _, text in self.repo.items_to_classify(everything_unreviewed=True)}
        ids = [i for i in ids if i in rows]
        results = self.classify([rows[i] for i in ids])
        stored = []
        for item_id, result in zip(ids, results):
            best = result.pop("_best_category")
            _, _, _, published, gold = self.waiting[item_id]
            self.waiting[item_id] = (result["complaint_score"],
                                     result["is_complaint"] or result.get("needs_check", False), best, published, gold)
            stored.append((item_id, result))
        self.repo.add_classifications(stored)

    def queue(self) -> list[int]:
        items = [(i, v) for i, v in self.waiting.items() if v[1]]
        if self.order == "newest":
            items.sort(key=lambda iv: (iv[1][3], iv[0]), reverse=True)
        elif self.order == "uncertain":
            threshold = self.nlp.get_pipe("textcat").models.thresholds()[0]
            items.sort(key=lambda iv: (abs(iv[1][0] - threshold), -iv[0]))
        else:
            self.rng.shuffle(items)
        return [i for i, _ in items]

    def decide(self, item_id: int, at: datetime) -> None:
        _, _, best, _, gold = self.waiting.pop(item_id)
        if gold:
            self.repo.record_review(item_id, self.user, "approve", after={"is_complaint": True, "category": best},
                                    at=at)
        else:
            self.repo.record_review(item_id, self.user, "reject",
                                    after={"is_complaint": False, "reason": "not_complaint"}, at=at)

    def retrain(self) -> dict:
        from classify.versions import train_and_save
        from pantau.config import DEFAULT_REGION

        report = train_and_save(region=DEFAULT_REGION, log=lambda *_: None, root=self.models,
                                reviews=self.repo.review_examples())
        self.load()
        self.reclassify()
        return report


def test_f1(office: Office, test) -> tuple[float, float]:
    from classify.pipeline import classification

    gold = [t.is_complaint for t in test]
    docs = list(office.nlp.pipe([t.text for t in test]))
    predicted = [classification(doc)["is_complaint"] for doc in docs]
    scores = [doc.cats["COMPLAINT"] for doc in docs]
    return realtexts.prf(gold, predicted)[2], realtexts.roc_auc(gold, scores)


def simulate(order: str, dev, test, log=print) -> dict:
    curve: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="pantau-office-") as tmp:
        office = Office(Path(tmp), order)
        f1, auc = test_f1(office, test)
        curve[0] = {"f1": round(f1, 3), "roc_auc": round(auc, 3), "model": office.version}
        log(f"[{order}] 0 decisions: test F1 {f1:.3f} AUC {auc:.3f}")
        decisions, since_train, retrains, activated = 0, 0, 0, 0
        day = 0
        arrivals = sorted(dev, key=lambda t: t.id)
        targets = [c for c in CHECKPOINTS if c > 0]
        while targets and (arrivals or office.queue()):
            batch, arrivals = arrivals[:PER_DAY], arrivals[PER_DAY:]
            office.harvest(day, batch)
            queue = office.queue()
            for n, item_id in enumerate(queue[:DECISIONS_PER_DAY]):
                office.decide(item_id, START + timedelta(days=day, hours=9, seconds=n))
                decisions += 1
                since_train += 1
                if since_train >= RETRAIN_EVERY:
                    report = office.retrain()
                    retrains += 1
                    activated += bool(report.get("activated"))
                    since_train = 0
                    if decisions in targets:
                        f1, auc = test_f1(office, test)
                        curve[decisions] = {"f1": round(f1, 3), "roc_auc": round(auc, 3),
                                            "model": office.version, "activated": bool(report.get("activated"))}
                        log(f"[{order}] {decisions} decisions (day {day + 1}): test F1 {f1:.3f} AUC {auc:.3f}"
                            f" activated={report.get('activated')}")
                        targets.remove(decisions)
                    break  # the next items are ranked by the retrained model
            day += 1
            if not batch and not queue:
                break
        office.repo.close()
    return {"order": order, "curve": curve, "decisions": decisions, "retrains": retrains, "activated": activated,
            "days": day}


def render(results: list[dict], sizes: str) -> str:
    head = "| queue order | " + " | ".join(f"after {c}" for c in CHECKPOINTS) + " | decisions made | retrains (activated) |"
    lines = [sizes, "", head, "|---|" + "---|" * (len(CHECKPOINTS) + 2)]
    for r in results:
        cells = [f"{r['curve'][c]['f1']:.3f} ({r['curve'][c]['roc_auc']:.3f})" if c in r["curve"] else "–"
                 for c in CHECKPOINTS]
        lines.append(f"| {r['order']} | " + " | ".join(cells) + f" | {r['decisions']} | {r['retrains']} ({r['activated']}) |")
    lines += ["", "Cells: bandung test-half complaint F1 (ROC AUC) of the active model after that many decisions."]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", nargs="*", default=list(ORDERS), choices=ORDERS)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--staff-weight", type=float, help="override classify.reviews.STAFF_WEIGHT")
    parser.add_argument("--tune", action="store_true",
                        help="for choices (e.g. the staff weight): harvest the first 70%% of the dev half by id and "
                             "evaluate on the rest of the dev half; the test half is not read")
    args = parser.parse_args(argv)
    sets = realtexts.real_sets()
    if sets is None:
        print(realtexts.missing_message())
        return 0
    if args.staff_weight is not None:
        import classify.reviews

        classify.reviews.STAFF_WEIGHT = args.staff_weight
    dev, test = sets["bandung_dev"], sets["bandung_test"]
    if args.tune:
        ordered = sorted(dev, key=lambda t: t.id)
        cut = int(len(ordered) * 0.7)
        dev, test = ordered[:cut], ordered[cut:]
        args.write = False
    started = time.perf_counter()
    results = [simulate(order, dev, test) for order in args.orders]
    sizes = (f"Simulated office: {len(dev)} dev-half tweets arriving {PER_DAY} a day, {DECISIONS_PER_DAY} decisions "
             f"a day, retrained every {RETRAIN_EVERY} decisions (train_and_save with review_examples, as "
             f"`pantau train --with-reviews`); evaluated on {len(test)} test-half tweets. "
             f"Run time {time.perf_counter() - started:.0f} s.")
    text = render(results, sizes)
    print(text)
    if args.write:
        bench_real.write_section(text, "bench_learning")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
