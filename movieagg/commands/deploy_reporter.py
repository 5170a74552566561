"""How `movieagg deploy` shows its work: steps, change sets, the cost estimate, stack events.

Everything goes to stderr through rich (NO_COLOR and narrow terminals follow rich's rules);
every text from AWS or a template is escaped before it reaches the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from movieagg.deploy.costs import Estimate
    from movieagg.deploy.stacks import ChangeSet, StackEvent

_STATUS_STYLE = {"COMPLETE": "green", "FAILED": "bold red", "IN_PROGRESS": "yellow", "ROLLBACK": "red"}


def style(status: str) -> str:
    if "ROLLBACK" in status or "FAILED" in status:
        return "red"
    for key, colour in _STATUS_STYLE.items():
        if status.endswith(key):
            return colour
    return "white"


def esc(text: str) -> str:
    from rich.markup import escape

    return escape(str(text))


def estimate_table(estimate: Estimate) -> Any:
    """The estimate as a table: one row per billable resource, the total, what traffic adds."""
    from rich.table import Table

    table = Table(
        title=f"Estimated monthly cost, size {estimate.size}: ${estimate.total:,.2f}",
        caption=esc(estimate.label()),
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("Resource", overflow="fold")
    table.add_column("What", overflow="fold")
    table.add_column("USD/month", justify="right", no_wrap=True)
    for line in sorted(estimate.lines, key=lambda item: -item.monthly):
        table.add_row(esc(line.logical_id), esc(line.detail), f"{line.monthly:,.2f}")
    table.add_section()
    table.add_row("[bold]Total[/]", "", f"[bold]{estimate.total:,.2f}[/]")
    return table


def estimate_notes(estimate: Estimate) -> list[str]:
    notes = [f"traffic adds: {esc(u)}" for u in estimate.usage]
    notes += [f"[yellow]not in the estimate:[/] {esc(u)}" for u in estimate.unpriced]
    return notes


class RichReporter:
    """Renders the pipeline's progress on stderr (tables and events) with rich."""

    def __init__(self, interactive: bool, *, quiet: bool = False) -> None:
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False)
        self.interactive = interactive
        self.quiet = quiet
        self._done = 0
        self._total = 0
        self._status: Any = None

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def step(self, message: str) -> None:
        self.stop()
        self.console.print(f"[bold cyan]==>[/] [bold]{esc(message)}[/]")

    def info(self, message: str) -> None:
        if not self.quiet:
            self.console.print(f"    {esc(message)}")

    def warn(self, message: str) -> None:
        self.console.print(f"    [yellow]warning:[/] {esc(message)}")

    def estimate(self, estimate: Estimate) -> None:
        self.stop()
        self.console.print(estimate_table(estimate))
        for note in estimate_notes(estimate):
            self.console.print(f"    {note}")

    def change_set(self, change_set: ChangeSet) -> None:
        from rich.table import Table

        self.stop()
        self._done, self._total = 0, len(change_set.changes)
        if change_set.empty:
            self.console.print(f"    [green]no changes[/] to {esc(change_set.stack_name)}")
            return
        verb = "update" if change_set.stack_exists else "create"
        table = Table(title=f"Change set: {verb} {esc(change_set.stack_name)}", title_justify="left")
        table.add_column("Action")
        table.add_column("Logical ID")
        table.add_column("Type")
        table.add_column("Replacement")
        colour = {"Add": "green", "Modify": "yellow", "Remove": "red"}
        for c in change_set.changes:
            tint = colour.get(c.action, "white")
            repl = "[bold red]True[/]" if c.replacement == "True" else esc(c.replacement or "-")
            table.add_row(f"[{tint}]{esc(c.action)}[/]", esc(c.logical_id), esc(c.resource_type), repl)
        self.console.print(table)
        self.console.print(f"    {len(change_set.changes)} change(s)")

    def event(self, event: StackEvent) -> None:
        when = event.timestamp.strftime("%H:%M:%S") if hasattr(event.timestamp, "strftime") else ""
        reason = f" [dim]{esc(event.reason[:200])}[/]" if event.reason else ""
        self.console.print(
            f"    {when} [{style(event.status)}]{esc(event.status):<28}[/] {esc(event.logical_id)} "
            f"[dim]{esc(event.resource_type)}[/]{reason}"
        )
        is_stack = event.resource_type == "AWS::CloudFormation::Stack"
        if not is_stack and event.status.endswith("_COMPLETE") and "ROLLBACK" not in event.status:
            self._done += 1
        if not self.interactive:
            return
        if is_stack and not event.status.endswith("_IN_PROGRESS"):
            self.stop()
            return
        if self._status is None:
            self._status = self.console.status("", spinner="dots")
            self._status.start()
        total = f"/{self._total}" if self._total else ""
        self._status.update(f"{self._done}{total} resources done — last: {esc(event.logical_id)}")

    def confirm(self, question: str) -> bool:
        self.stop()
        return bool(typer.confirm(question, default=False, err=True))

    def ask_secret(self, name: str, description: str) -> str | None:
        self.stop()
        value = typer.prompt(
            f"{name} ({description}; empty to skip)",
            default="",
            hide_input=True,
            show_default=False,
            err=True,
        )
        return str(value).strip() or None


__all__ = ["RichReporter", "esc", "estimate_notes", "estimate_table", "style"]
