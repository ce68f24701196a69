from django.tasks import task

from wordpress import importer
from wordpress.models import ImportRun


@task
def check_export(run_id: int) -> None:
    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.CHECKING).first()
    if run:
        importer.check_run(run)


@task
def import_export(run_id: int) -> None:
    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.IMPORTING).first()
    if run:
        importer.perform_run(run)
