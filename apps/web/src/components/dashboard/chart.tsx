import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

/** Colours that keep 3:1 against white, one per series. */
const palette = ['#1f6fb2', '#b5452a', '#2e7d32', '#7b3fa0', '#8a6d00', '#00796b', '#c2185b', '#455a64']
const chartHeightPx = 220

export interface ChartSeries {
  label: string
  values: number[]
}

/**
 * A uPlot chart of a few series over labelled categories (months, statuses): lines with points, or bars. It is
 * a picture for the eye (role="img", its name saying where the figures are); the table next to it carries them.
 */
export function Chart({
  name,
  labels,
  series,
  bars = false,
}: {
  name: string
  labels: string[]
  series: ChartSeries[]
  bars?: boolean
}) {
  const holder = useRef<HTMLDivElement>(null)
  const key = JSON.stringify([labels, series, bars])
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the figures drawn.
  useEffect(() => {
    const element = holder.current
    if (!element) return
    const xs = labels.map((_, index) => index)
    const plot = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: chartHeightPx,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: [-0.5, Math.max(0.5, labels.length - 0.5)] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
        },
        axes: [
          {
            splits: () => xs,
            values: (_u, ticks) => ticks.map((tick) => labels[tick] ?? ''),
          },
          {},
        ],
        series: [
          {},
          ...series.map((item, index) => ({
            label: item.label,
            stroke: palette[index % palette.length],
            width: 2,
            ...(bars
              ? {
                  fill: palette[index % palette.length],
                  paths: uPlot.paths.bars?.({ size: [0.6, 60] }),
                  points: { show: false },
                }
              : { points: { show: true, size: 6 } }),
          })),
        ],
      },
      [xs, ...series.map((item) => item.values)],
      element,
    )
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(200, element.clientWidth), height: chartHeightPx }),
    )
    resize.observe(element)
    return () => {
      resize.disconnect()
      plot.destroy()
    }
  }, [key])
  return <div className="dashboard-chart" ref={holder} role="img" aria-label={name} />
}
