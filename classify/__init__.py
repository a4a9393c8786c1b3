"""The complaint classifier (complaint or not, category, place, OPD).

Arrives with the classifier issue. Until then the pipeline's classify stage
(:mod:`pipelines.classify`) passes items through and records no classification, so no
invented labels ever reach the database or an export.
"""
