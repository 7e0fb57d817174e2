"""The guide itself: its compiled FHIR package (`package/`, committed) and the build that produces it (`build`)."""
