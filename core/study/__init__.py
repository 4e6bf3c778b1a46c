"""Provides the study's published results: import-study, the published report, and the comparison.

The study is Ajibode et al., arXiv 2508.10157; its replication package is
github.com/SAILResearch/replication-25-synchronization-Patterns (``dataset/``).
"""

from core.study.files import PACKAGE, STUDY_FILES, find_dataset_dir
from core.study.load import StudyImport, import_study
from core.study.parse import Normalisation
from core.study.published import compare_with_published, published_analysis, published_report, require_published

__all__ = [
    "PACKAGE",
    "STUDY_FILES",
    "Normalisation",
    "StudyImport",
    "compare_with_published",
    "find_dataset_dir",
    "import_study",
    "published_analysis",
    "published_report",
    "require_published",
]
