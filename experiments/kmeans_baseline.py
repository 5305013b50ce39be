"""The clustering baseline of experiment 4: k-means on Fashion-MNIST's pixels ([0, 1]) with the
same number of clusters as the AAE, each cluster named by the majority label of its training
images, error on the test images. Run with Debian's python3 (python3-sklearn).

    /usr/bin/python3 experiments/kmeans_baseline.py CLUSTERS SEED [DATA_DIR]

Prints one JSON object: error, standard error over test images, clusters used (>= 1% of the
test images)."""
import gzip, json, sys
import numpy as np
from sklearn.cluster import KMeans


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


clusters, seed = int(sys.argv[1]), int(sys.argv[2])
root = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"
train = idx(f"{root}/train-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0
train_labels = idx(f"{root}/train-labels-idx1-ubyte.gz")
test = idx(f"{root}/t10k-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0
test_labels = idx(f"{root}/t10k-labels-idx1-ubyte.gz")
model = KMeans(n_clusters=clusters, n_init=10, random_state=seed).fit(train)
assigned = model.labels_
names = np.array([np.bincount(train_labels[assigned == k], minlength=10).argmax() if (assigned == k).any() else 0
                  for k in range(clusters)])
wrong = (names[model.predict(test)] != test_labels).astype(float)
shares = np.bincount(model.predict(test), minlength=clusters) / len(test)
print(json.dumps({"metric": "kmeans", "clusters": clusters, "seed": seed, "value": wrong.mean(),
                  "standard_error": wrong.std(ddof=1) / np.sqrt(len(wrong)), "used": int((shares >= 0.01).sum())}))
