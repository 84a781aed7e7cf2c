"""Assembling the findings table: catalogue lookup, one report per problem, ID suggestions."""


def test_registry_id_suggestions_fold_into_the_id_finding():
    import pandas as pd

    from vaxutils.screen.findings import build_findings

    issues = pd.DataFrame(
        [
            # empty ID: the registry's number becomes the suggestion of the missing_id finding
            ("R1", 2, "id_missing", "id_number", None, None),
            ("R1", 2, "registry_id_suggestion", "id_number", None, "004190012345"),
            # lost zero repaired, and the registry agrees: one finding
            ("R2", 3, "id_leading_zero_lost", "id_number", "4190012346", "004190012346"),
            ("R2", 3, "registry_id_suggestion", "id_number", "4190012346", "004190012346"),
            # CMND repaired, the registry knows the 12-digit number: both kept
            ("R3", 4, "id_separators", "id_number", "089.130.600", "089130600"),
            ("R3", 4, "registry_id_suggestion", "id_number", "089.130.600", "004196510923"),
        ],
        columns=["record_id", "source_row", "code", "field", "value", "suggestion"],
    )
    findings = build_findings(issues)
    by_record = findings.groupby("record_id")["code"].apply(list).to_dict()
    assert by_record == {
        "R1": ["id_missing"],
        "R2": ["id_leading_zero_lost"],
        "R3": ["id_separators", "registry_id_suggestion"],
    }
    assert findings.set_index("record_id").loc["R1", "suggestion"] == "004190012345"
