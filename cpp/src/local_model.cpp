#include "amtune/local_model.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace amtune {

std::vector<int> nearest_rows(const KernelCache& kc, const RowMatrix& Z, int rows, const double* z0, int k) {
  if (rows < 0 || rows > Z.rows()) throw std::invalid_argument("nearest_rows: bad number of rows");
  std::vector<int> out;
  if (k <= 0) return out;
  if (k >= rows) {
    out.resize(rows);
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  std::vector<std::pair<double, int>> dist(rows);
  for (int i = 0; i < rows; ++i) dist[i] = {kc.r2(Z.row(i).data(), z0), i};
  std::nth_element(dist.begin(), dist.begin() + (k - 1), dist.end());  // pairs order ties by index
  out.reserve(k);
  for (int i = 0; i < k; ++i) out.push_back(dist[i].second);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> local_model_rows(const KernelCache& kc, const RowMatrix& Z, int rows, int center, int k,
                                  const std::vector<int>& global) {
  if (center < 0 || center >= rows) throw std::invalid_argument("local_model_rows: bad centre row");
  const Eigen::VectorXd z0 = Z.row(center).transpose();
  std::vector<int> out = nearest_rows(kc, Z, rows, z0.data(), k);
  for (int g : global)
    if (g >= 0 && g < rows) out.push_back(g);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void FeatureCache::reserve(int cap, int d) {
  if (cap <= X_.rows() && X_.cols() == d) return;
  cap = std::max({cap, static_cast<int>(X_.rows()) * 3 / 2, 64});
  RowMatrix X(cap, d), Z(cap, d);
  if (n_ && X_.cols() == d) {
    X.topRows(n_) = X_.topRows(n_);
    Z.topRows(n_) = Z_.topRows(n_);
  } else {
    n_ = 0;
  }
  X_.swap(X);
  Z_.swap(Z);
}

void FeatureCache::update(const InputSpec& spec, const Hyper& h, const RowMatrix& X, bool hyper_changed) {
  const int n = static_cast<int>(X.rows()), d = static_cast<int>(X.cols());
  bool extend = !hyper_changed && n_ > 0 && n_ <= n && X_.cols() == d;
  if (extend) extend = (X_.topRows(n_).array() == X.topRows(n_).array()).all();
  if (!extend) n_ = 0;
  reserve(n, d);
  if (n > n_) {
    RowMatrix Znew;
    compute_features(spec, h, X.bottomRows(n - n_), Znew);
    X_.middleRows(n_, n - n_) = X.bottomRows(n - n_);
    Z_.middleRows(n_, n - n_) = Znew;
  }
  n_ = n;
}

}  // namespace amtune

// ------------------------------------------------------------------ engine: big-history model
#include "amtune/bayes.hpp"

namespace amtune {

void BayesEngine::build_local_model(const RowMatrix& X, const Eigen::VectorXd& yt, bool refit) {
  const int n = static_cast<int>(X.rows()), d = spec_.dim();
  feats_.update(spec_, hyper_, X, refit || !big_);
  const KernelCache kc(spec_, hyper_);
  int center = 0;
  for (int i = 1; i < n; ++i)
    if (yt[i] < yt[center]) center = i;
  const std::vector<int> rows = local_model_rows(kc, feats_.Z(), n, center, opt_.local_points, global_rows_);
  const int m = static_cast<int>(rows.size());
  RowMatrix Xs(m, d);
  Eigen::VectorXd ys(m);
  for (int i = 0; i < m; ++i) {
    Xs.row(i) = X.row(rows[i]);
    ys[i] = yt[rows[i]];
  }
  gp_ = std::make_unique<GP>(spec_, hyper_);  // frees the exact factor when switching modes
  gp_->fit(Xs, ys);
  model_points_ = m;
}

}  // namespace amtune
