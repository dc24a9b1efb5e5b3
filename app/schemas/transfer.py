"""What an import of a whole portfolio answers."""
from marshmallow import Schema, fields

from .portfolio import PortfolioSchema

JSON_RESUME, LINKEDIN = "json_resume", "linkedin"


class ImportSummarySchema(Schema):
    source = fields.String(metadata={"enum": [JSON_RESUME, LINKEDIN],
                                     "description": "What the upload was, told by its content."})
    sections = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": 'Items imported per section, e.g. `{"experiences": 3, "skills": 5}`; '
                       "sections left empty are not listed."})
    warnings = fields.List(fields.String(), metadata={
        "description": "What was left out or changed, each with where it was "
                       "(`skills[2].level: …`), to show the person after the import."})


class ImportedPortfolioSchema(PortfolioSchema):
    """The new portfolio, and what the import brought in."""
    import_summary = fields.Nested(ImportSummarySchema, data_key="import")
