"""Order groups: the group aggregate, rules as data, named templates, creation validation.
A newcomer asking "why did my OCO cancel" starts here (spec contingency.md sections 2-3)."""
