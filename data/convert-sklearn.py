#!/usr/bin/env python3
"""Writes the bundled CSVs of data/ from Debian's python3-sklearn copies (1.2.1+dfsg-1).

Each output is a plain CSV: a header row, the features, and the class name in the last column.
Run: python3 data/convert-sklearn.py [SKLEARN_DATA_DIR]   (stdlib only; sklearn itself is not imported)
"""
import csv
import gzip
import os
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else '/usr/lib/python3/dist-packages/sklearn/datasets/data'
OUT = os.path.dirname(os.path.abspath(__file__))

# Feature names as scikit-learn's load_* functions give them.
IRIS = ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']
WINE = ['alcohol', 'malic_acid', 'ash', 'alcalinity_of_ash', 'magnesium', 'total_phenols', 'flavanoids',
        'nonflavanoid_phenols', 'proanthocyanins', 'color_intensity', 'hue', 'od280/od315_of_diluted_wines', 'proline']
_BC = ['radius', 'texture', 'perimeter', 'area', 'smoothness', 'compactness', 'concavity', 'concave points',
       'symmetry', 'fractal dimension']
BREAST_CANCER = [f'mean {n}' for n in _BC] + [f'{n} error' for n in _BC] + [f'worst {n}' for n in _BC]
DIGITS = [f'pixel_{r}_{c}' for r in range(8) for c in range(8)]


def convert_with_header_line(src, dst, features, label):
    """sklearn's format: a first line 'n_samples,n_features,class names...', then rows ending in the class index."""
    with open(os.path.join(SRC, src), newline='') as f:
        rows = list(csv.reader(f))
    n, d, *names = rows[0]
    body = rows[1:]
    assert len(body) == int(n) and int(d) == len(features), (src, n, d)
    with open(os.path.join(OUT, dst), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(features + [label])
        for r in body:
            w.writerow(r[:-1] + [names[int(r[-1])]])


def convert_digits():
    with gzip.open(os.path.join(SRC, 'digits.csv.gz'), 'rt', newline='') as f:
        body = [r for r in csv.reader(f) if r]
    assert len(body) == 1797 and all(len(r) == 65 for r in body)
    with open(os.path.join(OUT, 'digits.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(DIGITS + ['digit'])
        for r in body:
            w.writerow([str(int(float(v))) for v in r])


convert_with_header_line('iris.csv', 'iris.csv', IRIS, 'species')
convert_with_header_line('wine_data.csv', 'wine.csv', WINE, 'cultivar')
convert_with_header_line('breast_cancer.csv', 'breast-cancer.csv', BREAST_CANCER, 'diagnosis')
convert_digits()
