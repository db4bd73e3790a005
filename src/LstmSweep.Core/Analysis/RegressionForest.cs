namespace LstmSweep.Core.Analysis;

/// <summary>
/// One fitted regression tree, as flat arrays (node 0 is the root). A leaf has <see cref="Feature"/> −1; an inner node
/// sends a sample left when its value of <see cref="Feature"/> is at most <see cref="Threshold"/>.
/// </summary>
public sealed record RegressionTree(int[] Feature, double[] Threshold, int[] Left, int[] Right, double[] Value)
{
    public int NodeCount => Feature.Length;
    public bool IsLeaf(int node) => Feature[node] < 0;

    public double Predict(ReadOnlySpan<double> x)
    {
        int node = 0;
        while (!IsLeaf(node)) node = x[Feature[node]] <= Threshold[node] ? Left[node] : Right[node];
        return Value[node];
    }
}

/// <summary>
/// A random forest of CART regression trees, fitted the way scikit-learn's RandomForestRegressor does with Optuna's
/// fANOVA settings: each tree on a bootstrap sample (with replacement, as many draws as samples), every feature tried
/// at every split, the split that most reduces the squared error, thresholds halfway between neighbouring values,
/// grown until a node is pure, holds one distinct sample, or reaches <paramref name="MaxDepth"/>.
/// Deterministic: tree i draws its bootstrap from its own generator seeded from (seed, i), so the trees can be fitted
/// in parallel and the forest is the same on every run and every machine.
/// </summary>
public sealed class RegressionForest
{
    public IReadOnlyList<RegressionTree> Trees { get; }

    RegressionForest(IReadOnlyList<RegressionTree> trees) => Trees = trees;

    public static RegressionForest Fit(double[][] x, double[] y, int trees, int maxDepth, int seed)
    {
        if (x.Length != y.Length) throw new ArgumentException("one target per sample", nameof(y));
        if (x.Length == 0) throw new ArgumentException("no samples", nameof(x));
        int features = x[0].Length;
        if (features == 0) throw new ArgumentException("no features", nameof(x));
        // Each feature's sample order, sorted once; a node keeps its samples in this order for every feature.
        var sorted = new int[features][];
        for (int f = 0; f < features; f++)
        {
            int feature = f;
            sorted[f] = Enumerable.Range(0, x.Length).OrderBy(i => x[i][feature]).ThenBy(i => i).ToArray();
        }
        var fitted = new RegressionTree[trees];
        Parallel.For(0, trees, t =>
        {
            var random = new Random(unchecked(seed * 7919 + t * 104729 + 17));
            var weights = new double[x.Length];
            for (int draw = 0; draw < x.Length; draw++) weights[random.Next(x.Length)] += 1;
            fitted[t] = new TreeBuilder(x, y, weights, sorted, maxDepth).Build();
        });
        return new RegressionForest(fitted);
    }

    /// <summary>Grows one tree on weighted samples (a bootstrap's counts as weights; weight 0 = not drawn).</summary>
    sealed class TreeBuilder
    {
        readonly double[][] _x;
        readonly double[] _y, _w;
        readonly int _maxDepth, _features;
        // orders[f] holds the drawn samples sorted by feature f; a node owns the same range [start, end) in each.
        readonly int[][] _orders;
        readonly bool[] _goesLeft;
        readonly int[] _scratch;
        readonly List<int> _feature = [], _left = [], _right = [];
        readonly List<double> _threshold = [], _value = [];

        public TreeBuilder(double[][] x, double[] y, double[] w, int[][] sorted, int maxDepth)
        {
            (_x, _y, _w, _maxDepth, _features) = (x, y, w, maxDepth, sorted.Length);
            _orders = sorted.Select(order => order.Where(i => w[i] > 0).ToArray()).ToArray();
            _goesLeft = new bool[x.Length];
            _scratch = new int[_orders[0].Length];
        }

        public RegressionTree Build()
        {
            Grow(0, _orders[0].Length, 0);
            return new RegressionTree([.. _feature], [.. _threshold], [.. _left], [.. _right], [.. _value]);
        }

        int NewNode(double value)
        {
            _feature.Add(-1); _threshold.Add(0); _left.Add(-1); _right.Add(-1); _value.Add(value);
            return _feature.Count - 1;
        }

        int Grow(int start, int end, int depth)
        {
            var order = _orders[0];
            double sumW = 0, sumY = 0, sumYY = 0;
            for (int k = start; k < end; k++)
            {
                int i = order[k];
                sumW += _w[i]; sumY += _w[i] * _y[i]; sumYY += _w[i] * _y[i] * _y[i];
            }
            int node = NewNode(sumW > 0 ? sumY / sumW : 0);
            double parentScore = sumY * sumY / sumW;
            bool pure = sumYY - parentScore <= 1e-12 * Math.Max(1, Math.Abs(sumYY));
            if (depth >= _maxDepth || end - start < 2 || pure) return node;

            // The split that maximises sumL²/wL + sumR²/wR, i.e. minimises the children's squared error.
            int bestFeature = -1, bestPosition = -1;
            double bestScore = parentScore + 1e-12 * Math.Abs(parentScore), bestThreshold = 0;
            for (int f = 0; f < _features; f++)
            {
                var byF = _orders[f];
                double leftW = 0, leftY = 0;
                for (int k = start; k < end - 1; k++)
                {
                    int i = byF[k];
                    leftW += _w[i]; leftY += _w[i] * _y[i];
                    double here = _x[i][f], next = _x[byF[k + 1]][f];
                    if (next <= here) continue; // no threshold between equal values
                    double rightW = sumW - leftW, rightY = sumY - leftY;
                    double score = leftY * leftY / leftW + rightY * rightY / rightW;
                    if (score > bestScore)
                    {
                        (bestScore, bestFeature, bestPosition) = (score, f, k);
                        bestThreshold = here + (next - here) / 2;
                        if (bestThreshold >= next) bestThreshold = here; // halfway rounds up to next: keep it left
                    }
                }
            }
            if (bestFeature < 0) return node;

            var chosen = _orders[bestFeature];
            for (int k = start; k < end; k++) _goesLeft[chosen[k]] = k <= bestPosition;
            int middle = bestPosition + 1;
            for (int f = 0; f < _features; f++) StablePartition(_orders[f], start, end);

            _feature[node] = bestFeature;
            _threshold[node] = bestThreshold;
            int left = Grow(start, middle, depth + 1);
            int right = Grow(middle, end, depth + 1);
            _left[node] = left;
            _right[node] = right;
            return node;
        }

        void StablePartition(int[] order, int start, int end)
        {
            int l = start, r = 0;
            for (int k = start; k < end; k++)
            {
                int i = order[k];
                if (_goesLeft[i]) order[l++] = i; else _scratch[r++] = i;
            }
            Array.Copy(_scratch, 0, order, l, r);
        }
    }
}
