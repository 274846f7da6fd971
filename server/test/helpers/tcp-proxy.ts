import net from 'node:net'

/**
 * A TCP proxy in front of PostgreSQL, so that a test can cut a process off from the database
 * for real (connections reset, new ones refused) and restore it, without touching the server.
 */
export interface TcpProxy {
  port: number
  /** Connection string through the proxy for a database URL. */
  urlFor(databaseUrl: string): string
  cut(): void
  restore(): void
  close(): Promise<void>
}

export async function startTcpProxy(
  targetPort = 5432,
  targetHost = '127.0.0.1',
): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  let cut = false
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy()
      return
    }
    const upstream = net.connect(targetPort, targetHost)
    sockets.add(client)
    sockets.add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    urlFor(databaseUrl) {
      const url = new URL(databaseUrl)
      url.hostname = '127.0.0.1'
      url.port = String(port)
      return url.toString()
    },
    cut() {
      cut = true
      for (const s of sockets) s.destroy()
      sockets.clear()
    },
    restore() {
      cut = false
    },
    close() {
      for (const s of sockets) s.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
