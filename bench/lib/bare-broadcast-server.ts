import { createServer } from 'node:http'
import { type WebSocket, WebSocketServer } from 'ws'

/**
 * The yardstick for the realtime feed: a bare `ws` server doing only what a feed must do at minimum. A client
 * sends its viewport; `POST /publish` with an event answers 201 and sends it to every client whose viewport
 * holds the point. No database, no protocol, no limits. Started as its own process by the benchmark.
 */
const viewports = new Map<WebSocket, [number, number, number, number]>()
const server = createServer((request, response) => {
  let body = ''
  request.on('data', (chunk) => {
    body += chunk
  })
  request.on('end', () => {
    const event = JSON.parse(body) as { seq: number; lon: number; lat: number; feature: unknown }
    response.writeHead(201).end()
    const text = JSON.stringify({
      type: 'event',
      seq: event.seq,
      topic: 'entity.created',
      subscriptions: ['v'],
      data: event.feature,
    })
    for (const [socket, b] of viewports) {
      if (event.lon >= b[0] && event.lon <= b[2] && event.lat >= b[1] && event.lat <= b[3]) socket.send(text)
    }
  })
})
const wss = new WebSocketServer({ server, maxPayload: 16 * 1024 })
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    viewports.set(socket, (JSON.parse(data.toString()) as { bbox: [number, number, number, number] }).bbox)
    socket.send('{"type":"subscribed-bare"}')
  })
  socket.on('close', () => viewports.delete(socket))
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  )
})
process.on('SIGTERM', () => process.exit(0))
