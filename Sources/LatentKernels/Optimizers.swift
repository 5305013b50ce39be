/// The dense float32 kernels. This target is compiled with -Ounchecked and for the host CPU
/// in every configuration, so debug builds and tests run them near full speed; each
/// kernel's helpers stay in its file so they inline without whole-module optimisation.
public enum Kernels {}

/// One optimizer step's constants (Adam's bias correction already folded into rate and eps).
public enum OptimizerUpdate: Sendable {
    case sgd(rate: Float)
    case momentum(rate: Float, momentum: Float)
    case adam(rate: Float, beta1: Float, beta2: Float, eps: Float)
    case rmsprop(rate: Float, decay: Float, eps: Float)
}

extension Kernels {
    /// Updates parameters `p` from gradients `g` and moments `m`, `v` in one pass, split
    /// into fixed chunks across the pool (each element's update is independent). Returns
    /// whether every gradient was finite (the pass checks as it goes).
    @discardableResult
    public static func update(
        _ update: OptimizerUpdate, _ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, count: Int, pool: WorkerPool
    ) -> Bool {
        let chunk = 16384
        let tasks = (count + chunk - 1) / chunk
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: max(tasks, 1)) { checks in
            pool.run(tasks: tasks) { task, _ in
                checks[task] = apply(update, p, m, v, g, task * chunk..<min(count, task * chunk + chunk))
            }
            return checks.prefix(tasks).allSatisfy { $0 == 0 }
        }
    }

    /// One chunk of an update, 16 elements at a time; returns 0 when its gradients are
    /// finite (NaN otherwise).
    @inline(__always)
    static func apply(
        _ update: OptimizerUpdate, _ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ range: Range<Int>
    ) -> Float {
        switch update {
        case .sgd(let rate):
            return each(range, p, m, v, g) { p, _, _, g in p -= rate * g }
        case .momentum(let rate, let mu):
            return each(range, p, m, v, g) { p, m, _, g in
                m = mu * m + g
                p -= rate * m
            }
        case .adam(let rate, let beta1, let beta2, let eps):
            return each(range, p, m, v, g) { p, m, v, g in
                m = beta1 * m + (1 - beta1) * g
                v = beta2 * v + (1 - beta2) * g * g
                p -= rate * m / (squareRoot(v) + eps)
            }
        case .rmsprop(let rate, let rho, let eps):
            return each(range, p, m, v, g) { p, _, v, g in
                v = rho * v + (1 - rho) * g * g
                p -= rate * g / (squareRoot(v) + eps)
            }
        }
    }

    /// Runs `body` on 16 elements of parameters, moments and gradients at a time (the tail
    /// padded with zeros); returns the sum of g * 0, which is 0 unless a gradient is not finite.
    @inline(__always)
    static func each(
        _ range: Range<Int>, _ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
        _ body: (inout SIMD16<Float>, inout SIMD16<Float>, inout SIMD16<Float>, SIMD16<Float>) -> Void
    ) -> Float {
        var check = SIMD16<Float>()
        var i = range.lowerBound
        while i + 16 <= range.upperBound {
            var pv = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
            var mv = UnsafeRawPointer(m + i).loadUnaligned(as: SIMD16<Float>.self)
            var vv = UnsafeRawPointer(v + i).loadUnaligned(as: SIMD16<Float>.self)
            let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD16<Float>.self)
            check += gv * 0
            body(&pv, &mv, &vv, gv)
            UnsafeMutableRawPointer(p + i).storeBytes(of: pv, as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(m + i).storeBytes(of: mv, as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vv, as: SIMD16<Float>.self)
            i += 16
        }
        if i < range.upperBound {
            let lanes = range.upperBound - i
            var pv = SIMD16<Float>()
            var mv = SIMD16<Float>()
            var vv = SIMD16<Float>()
            var gv = SIMD16<Float>()
            for lane in 0..<lanes {
                pv[lane] = p[i + lane]
                mv[lane] = m[i + lane]
                vv[lane] = v[i + lane]
                gv[lane] = g[i + lane]
            }
            check += gv * 0
            body(&pv, &mv, &vv, gv)
            for lane in 0..<lanes {
                p[i + lane] = pv[lane]
                m[i + lane] = mv[lane]
                v[i + lane] = vv[lane]
            }
        }
        return check.sum()
    }

    /// The square root of non-negative x: SIMD `squareRoot()` becomes a libm call per lane
    /// (errno handling), so it is 1 / sqrt(x) from the classic bit estimate and three Newton
    /// steps (relative error ~1e-7), times x.
    @inline(__always)
    static func squareRoot(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let estimate = 0x5F37_59DF &- (unsafeBitCast(x, to: SIMD16<UInt32>.self) &>> 1)
        var y = unsafeBitCast(estimate, to: SIMD16<Float>.self)
        let half = x * 0.5
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        return x * y
    }
}
