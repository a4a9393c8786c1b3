"""The classification stage: where the complaint classifier labels each article.

Until the classifier lands (issue 3) this stage records nothing: items pass through with
``classification = None`` and the store writes no classification row. No placeholder labels are
ever stored, so exports show empty classification fields rather than invented ones.
"""

from __future__ import annotations


class ClassifyPipeline:
    def __init__(self, classifier=None):
        self.classifier = classifier

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def process_item(self, item, spider):
        return item
