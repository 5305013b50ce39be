import Foundation

/// The pictures Latent draws: grids of images, scatter plots of 2-D points and line plots,
/// each panel with a title and its axes' ranges written out.
public enum Plots {
    /// Grey images (values in [0, 1], `height` x `width` each) in a grid of `columns`,
    /// enlarged `scale` times, with a 2-pixel grey gutter.
    public static func grid(_ images: [[Float]], width: Int, height: Int, columns: Int, scale: Int = 2) -> Image {
        let rows = (images.count + columns - 1) / max(columns, 1)
        let gutter = 2
        let cell = (width * scale + gutter, height * scale + gutter)
        var image = Image(
            width: columns * cell.0 + gutter, height: max(rows, 1) * cell.1 + gutter, channels: 1, fill: 128)
        for (index, values) in images.enumerated() {
            let left = gutter + index % columns * cell.0
            let top = gutter + index / columns * cell.1
            for y in 0..<height {
                for x in 0..<width {
                    let level = UInt8((min(max(values[y * width + x], 0), 1) * 255).rounded())
                    image.fill(
                        x: left + x * scale, y: top + y * scale, width: scale, height: scale,
                        color: Color(level, level, level))
                }
            }
        }
        return image
    }

    /// A panel of 2-D points: `points` as (x, y) pairs, each coloured by its class (nil: grey).
    public struct Scatter {
        public var title: String
        public var points: [SIMD2<Double>]
        public var classes: [Int]?

        public init(title: String, points: [SIMD2<Double>], classes: [Int]? = nil) {
            self.title = title
            self.points = points
            self.classes = classes
        }
    }

    /// Scatter panels side by side on shared axes, with a legend of the classes present.
    public static func scatter(_ panels: [Scatter], size: Int = 360) -> Image {
        let all = panels.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let range = Range2D(points: all)
        let classes = Set(panels.compactMap(\.classes).flatMap { $0 }).sorted()
        let legend = classes.isEmpty ? 0 : 24
        var image = Image(width: panels.count * (size + 60) + 20, height: size + 80 + legend, channels: 3)
        for (index, panel) in panels.enumerated() {
            let frame = Frame(x: 60 + index * (size + 60), y: 30, width: size, height: size)
            image.axes(frame, range: range, title: panel.title)
            for (offset, point) in panel.points.enumerated() where point.x.isFinite && point.y.isFinite {
                let color = panel.classes.map { Color.palette[$0[offset] % Color.palette.count] } ?? .grey
                let (x, y) = frame.pixel(point, in: range)
                image.fill(x: x - 1, y: y - 1, width: 3, height: 3, color: color)
            }
        }
        var x = 60
        for label in classes {
            image.fill(x: x, y: size + 76, width: 9, height: 9, color: Color.palette[label % Color.palette.count])
            image.draw(String(label), x: x + 12, y: size + 77)
            x += 12 + Font.measure(String(label)) + 14
        }
        return image
    }

    /// One line per series in its own panel (losses of different phases have different
    /// scales), stacked vertically; `x` is shared.
    public static func lines(x: [Double], series: [(name: String, values: [Double])], width: Int = 640) -> Image {
        let height = 200
        var image = Image(width: width + 90, height: series.count * (height + 50) + 10, channels: 3)
        for (index, (name, values)) in series.enumerated() {
            let points = zip(x, values).map { SIMD2($0, $1) }.filter { $0.x.isFinite && $0.y.isFinite }
            let range = Range2D(points: points)
            let frame = Frame(x: 80, y: 30 + index * (height + 50), width: width, height: height)
            image.axes(frame, range: range, title: name)
            var previous: (Int, Int)?
            for point in points {
                let pixel = frame.pixel(point, in: range)
                if let previous { image.line(from: previous, to: pixel, color: Color.palette[index % 10]) }
                previous = pixel
            }
        }
        return image
    }
}

/// The data range a panel shows, padded by 5% (and widened when empty).
struct Range2D {
    var low: SIMD2<Double>
    var high: SIMD2<Double>

    init(points: [SIMD2<Double>]) {
        var low = points.first ?? SIMD2(0, 0)
        var high = low
        for point in points {
            low = pointwiseMin(low, point)
            high = pointwiseMax(high, point)
        }
        let span = pointwiseMax(high - low, SIMD2(1e-9, 1e-9))
        self.low = low - span * 0.05
        self.high = high + span * 0.05
    }
}

/// Where a panel sits in the picture.
struct Frame {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    func pixel(_ point: SIMD2<Double>, in range: Range2D) -> (Int, Int) {
        let unit = (point - range.low) / (range.high - range.low)
        return (
            x + Int((unit.x * Double(width - 1)).rounded()),
            y + height - 1 - Int((unit.y * Double(height - 1)).rounded())
        )
    }
}

extension Image {
    /// A panel's frame, light grid at the quarters, tick labels at both ends and the middle
    /// of each axis, and its title above.
    mutating func axes(_ frame: Frame, range: Range2D, title: String) {
        for quarter in 1..<4 {
            let x = frame.x + quarter * frame.width / 4
            let y = frame.y + quarter * frame.height / 4
            line(from: (x, frame.y), to: (x, frame.y + frame.height - 1), color: .light)
            line(from: (frame.x, y), to: (frame.x + frame.width - 1, y), color: .light)
        }
        let right = frame.x + frame.width - 1
        let bottom = frame.y + frame.height - 1
        line(from: (frame.x, frame.y), to: (right, frame.y), color: .black)
        line(from: (frame.x, bottom), to: (right, bottom), color: .black)
        line(from: (frame.x, frame.y), to: (frame.x, bottom), color: .black)
        line(from: (right, frame.y), to: (right, bottom), color: .black)
        draw(title, x: frame.x, y: frame.y - 20, scale: 2)
        for step in 0...2 {
            let fraction = Double(step) / 2
            let xValue = Self.label(
                range.low.x + fraction * (range.high.x - range.low.x), span: range.high.x - range.low.x)
            let xPixel = frame.x + Int(fraction * Double(frame.width - 1)) - Font.measure(xValue) / 2
            draw(xValue, x: xPixel, y: bottom + 5)
            let yValue = Self.label(
                range.low.y + fraction * (range.high.y - range.low.y), span: range.high.y - range.low.y)
            let yPixel = bottom - Int(fraction * Double(frame.height - 1)) - Font.height / 2
            draw(yValue, x: frame.x - 4 - Font.measure(yValue), y: yPixel)
        }
    }

    /// A tick label with about three significant figures (values tiny next to the axis's
    /// span are 0).
    static func label(_ value: Double, span: Double) -> String {
        let magnitude = abs(value) < span * 1e-3 ? 0 : abs(value)
        if magnitude == 0 { return "0" }
        if magnitude >= 10_000 || (magnitude < 0.01 && magnitude > 0) { return String(format: "%.2e", value) }
        return String(format: magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.2f", value)
    }
}
