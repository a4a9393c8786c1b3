"""One router per page family; every route states the role it needs (review.security.require)."""
