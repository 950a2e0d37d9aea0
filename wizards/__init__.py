from . import credit_hold_override
from . import credit_hold_manual
