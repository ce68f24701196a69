"""Money as integer minor units of a currency (cents for "usd"), never floats.

Stripe counts amounts the same way; a few currencies have no minor unit.
"""

from __future__ import annotations

from decimal import Decimal

# Stripe's zero-decimal currencies (https://docs.stripe.com/currencies#zero-decimal).
ZERO_DECIMAL = {
    *("bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"),
    *("pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"),
}
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£"}


def exponent(currency: str) -> int:
    return 0 if currency.lower() in ZERO_DECIMAL else 2


def to_minor(amount: Decimal | int, currency: str) -> int:
    """Whole or decimal units to minor units: 50 dollars is 5000."""
    return int((Decimal(amount) * 10 ** exponent(currency)).to_integral_value())


def format_money(minor: int, currency: str) -> str:
    """5000, "usd" -> "$50"; 5050 -> "$50.50"; other currencies by code: "CHF 50"."""
    places = exponent(currency)
    major = Decimal(minor) / (10**places) if places else Decimal(minor)
    text = f"{major:,.{places}f}" if major != major.to_integral_value() else f"{major:,.0f}"
    symbol = SYMBOLS.get(currency.lower())
    return f"{symbol}{text}" if symbol else f"{currency.upper()} {text}"
