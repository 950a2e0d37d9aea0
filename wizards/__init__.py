from . import credit_hold_override
