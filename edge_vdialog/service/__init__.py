"""Running as a systemd service: sd_notify, watchdog, health/metrics, logs, unit install."""

from edge_vdialog.service.supervisor import ServiceHandle, start_service

__all__ = ["ServiceHandle", "start_service"]
