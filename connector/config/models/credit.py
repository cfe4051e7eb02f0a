"""The credit section: which attribution models run on won deals, and where results are written."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from connector.config.issues import ProblemCollector, did_you_mean
from connector.config.models.base import ConfigModel
from connector.config.models.fields import HubSpotName, Identifier, find_duplicates

ModelType = Literal[
    "first_touch",
    "last_touch",
    "linear",
    "u_shaped",
    "w_shaped",
    "full_path",
    "time_decay",
    "markov",
]
Position = Literal["first_touch", "lead_creation", "opportunity_creation", "closed_won", "middle"]
TouchpointSource = Literal[
    "hubspot_form_submissions",  # form conversions on the contact's timeline
    "hubspot_source_properties",  # original / latest source and their drill-downs
    "salesforce_campaign_responses",  # CampaignMember rows with HasResponded
]

#: Standard position weights in percent (HubSpot KB, hubspot.md §5); admins may override them.
DEFAULT_WEIGHTS: dict[str, dict[str, Decimal]] = {
    "u_shaped": {"first_touch": Decimal(40), "lead_creation": Decimal(40), "middle": Decimal(20)},
    "w_shaped": {
        "first_touch": Decimal(30),
        "lead_creation": Decimal(30),
        "opportunity_creation": Decimal(30),
        "middle": Decimal(10),
    },
    "full_path": {
        "first_touch": Decimal("22.5"),
        "lead_creation": Decimal("22.5"),
        "opportunity_creation": Decimal("22.5"),
        "closed_won": Decimal("22.5"),
        "middle": Decimal(10),
    },
}
DEFAULT_HALF_LIFE_DAYS = 7.0
#: Journeys (won and lost) the Markov model needs before its removal effects mean anything.
DEFAULT_MARKOV_MIN_JOURNEYS = 100
_DEVELOPER_NAME = re.compile(r"[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)")


class CreditModel(ConfigModel):
    """One attribution model. Write ``- linear`` or ``- {model: time_decay, half_life_days: 7}``.

    The rules themselves live in ``connector/jobs/credit/`` (documented in docs/credit.md).
    """

    model: ModelType = Field(description="Which attribution model.")
    name: Identifier = Field(description="Name used in results; defaults to the model's.")
    half_life_days: float | None = Field(
        default=None, gt=0, description="time_decay only: days after which credit halves."
    )
    weights: dict[Position, Decimal] | None = Field(
        default=None,
        description="u_shaped/w_shaped/full_path only: percent per position, summing to 100.",
    )
    min_journeys: int | None = Field(
        default=None,
        ge=1,
        description="markov only: won + lost journeys needed before the model is used.",
    )

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults(cls, data: Any) -> Any:
        if isinstance(data, str):
            data = {"model": data}
        if not isinstance(data, dict):
            return data
        data = dict(data)
        model = data.get("model")
        # The name defaults to the model; a bad model is reported once, not again via its name.
        usable = isinstance(model, str) and model.isidentifier() and model.islower()
        data.setdefault("name", model if usable else "unnamed")
        if data.get("model") == "time_decay":
            data.setdefault("half_life_days", DEFAULT_HALF_LIFE_DAYS)
        if data.get("model") in DEFAULT_WEIGHTS:
            data.setdefault("weights", dict(DEFAULT_WEIGHTS[data["model"]]))
        if data.get("model") == "markov":
            data.setdefault("min_journeys", DEFAULT_MARKOV_MIN_JOURNEYS)
        return data

    @model_validator(mode="after")
    def _options_fit_model(self) -> CreditModel:
        problems = ProblemCollector()
        if self.half_life_days is not None and self.model != "time_decay":
            problems.add(("half_life_days",), "only time_decay has a half-life")
        if self.min_journeys is not None and self.model != "markov":
            problems.add(("min_journeys",), "only markov needs a minimum of journeys")
        if self.weights is not None:
            expected = DEFAULT_WEIGHTS.get(self.model)
            if expected is None:
                problems.add(
                    ("weights",), "only u_shaped, w_shaped and full_path take position weights"
                )
            elif set(self.weights) != set(expected):
                problems.add(
                    ("weights",), f"{self.model} needs weights for exactly: {', '.join(expected)}"
                )
            elif any(weight < 0 for weight in self.weights.values()):
                problems.add(("weights",), "weights cannot be negative")
            elif (total := sum(self.weights.values())) != 100:
                problems.add(("weights",), f"weights must sum to 100, not {total}")
        problems.raise_if_any()
        return self


class HubSpotDealProperties(ConfigModel):
    """Deal properties Baton writes the primary model's result to."""

    summary: HubSpotName = Field(
        default="baton_credit_summary",
        description="Text: credit per channel and campaign, in currency.",
    )
    top_channel: HubSpotName = Field(
        default="baton_top_channel", description="The source with the most credit."
    )
    computed_at: HubSpotName = Field(
        default="baton_credit_computed_at", description="When the credit was last computed."
    )


class CreditWriteback(ConfigModel):
    """Where computed credit goes besides Baton's own ledger."""

    hubspot: bool = Field(default=True, description="Write the deal properties below.")
    hubspot_deal_properties: HubSpotDealProperties = Field(
        default_factory=HubSpotDealProperties, description="Deal properties written."
    )
    hubspot_opportunity_property: HubSpotName = Field(
        default="salesforce_opportunity_id",
        description="Deal property holding the Salesforce opportunity id (kept by the portal's "
        "deal sync): the deal whose value is the won opportunity's id gets the properties.",
    )
    salesforce: bool = Field(default=True, description="Write CampaignInfluence records.")
    salesforce_influence_model: str = Field(
        default="Baton_Attribution",
        description="DeveloperName of the custom, locked CampaignInfluenceModel to write.",
    )

    @field_validator("salesforce_influence_model")
    @classmethod
    def _developer_name(cls, value: str) -> str:
        if not _DEVELOPER_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not a DeveloperName (letters, digits, single _)")
        return value


class CreditConfig(ConfigModel):
    """Marketing-influence credit on won deals: exact to the cent, summing to the deal amount."""

    models: tuple[CreditModel, ...] = Field(
        default=(CreditModel(model="linear", name="linear"),),
        min_length=1,
        description="Models computed for every won deal.",
    )
    primary_model: Identifier = Field(
        default="linear", description="The model written back to the CRMs (by name)."
    )
    currency: str = Field(
        default="EUR",
        description="ISO 4217 currency of deal amounts (multi-currency deals carry their own).",
    )
    lookback_days: int = Field(
        default=365, ge=1, description="Touchpoints older than this before the win are ignored."
    )
    touchpoint_sources: tuple[TouchpointSource, ...] = Field(
        default=(
            "hubspot_form_submissions",
            "hubspot_source_properties",
            "salesforce_campaign_responses",
        ),
        min_length=1,
        description="Where touchpoints are collected from.",
    )
    writeback: CreditWriteback = Field(
        default_factory=CreditWriteback, description="Where results are written."
    )

    @field_validator("currency", mode="before")
    @classmethod
    def _currency_code(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            if not re.fullmatch(r"[A-Z]{3}", value):
                raise ValueError(f"{value!r} is not an ISO 4217 currency code such as EUR")
        return value

    @model_validator(mode="after")
    def _names_resolve(self) -> CreditConfig:
        problems = ProblemCollector()
        names = [model.name for model in self.models]
        for index, first in find_duplicates(names).items():
            problems.add(
                ("models", index, "name"), f"name also used by models[{first}]; set `name:`"
            )
        if self.primary_model not in names:
            problems.add(
                ("primary_model",),
                f"{self.primary_model!r} is not one of the models listed"
                f"{did_you_mean(self.primary_model, names)}",
            )
        for index, first in find_duplicates(list(self.touchpoint_sources)).items():
            problems.add(("touchpoint_sources", index), f"same as touchpoint_sources[{first}]")
        problems.raise_if_any()
        return self

    def model_named(self, name: str) -> CreditModel:
        """Return the configured model called ``name`` (KeyError if there is none)."""
        for model in self.models:
            if model.name == name:
                return model
        raise KeyError(name)
