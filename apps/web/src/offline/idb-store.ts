import type { OutboxItem, OutboxStore } from './outbox'

const databaseName = 'quartiere-outbox'
const storeName = 'writes'
const databaseVersion = 1

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

function open(): Promise<IDBDatabase> {
  const request = indexedDB.open(databaseName, databaseVersion)
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(storeName))
      request.result.createObjectStore(storeName, { keyPath: 'id' })
  }
  return promised(request)
}

/**
 * The queue's items in IndexedDB, one record per item keyed by its idempotency key: they outlive a reload, a closed
 * tab and a restarted phone. Each call is its own transaction.
 */
export class IdbOutboxStore implements OutboxStore {
  private database: Promise<IDBDatabase> | null = null

  private async run<T>(
    mode: IDBTransactionMode,
    action: (store: IDBObjectStore) => IDBRequest<T>,
  ): Promise<T> {
    this.database ??= open()
    const database = await this.database
    const transaction = database.transaction(storeName, mode)
    const result = promised(action(transaction.objectStore(storeName)))
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve()
      transaction.onerror = () => reject(transaction.error)
      transaction.onabort = () => reject(transaction.error)
    })
    return result
  }

  all(): Promise<OutboxItem[]> {
    return this.run('readonly', (store) => store.getAll() as IDBRequest<OutboxItem[]>)
  }

  async put(item: OutboxItem): Promise<void> {
    await this.run('readwrite', (store) => store.put(item))
  }

  async remove(id: string): Promise<void> {
    await this.run('readwrite', (store) => store.delete(id))
  }
}

/** IndexedDB where the browser gives it; otherwise null (the caller keeps the queue in memory). */
export function indexedDbAvailable(): boolean {
  return typeof indexedDB !== 'undefined'
}
