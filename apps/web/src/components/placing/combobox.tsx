import { type KeyboardEvent, type ReactNode, useId, useState } from 'react'

export interface ComboboxOption {
  id: string
  /** What the option says (read out whole by a screen reader). */
  label: string
  /** A second, quieter part: the kind, a distance. */
  detail?: string
}

export interface ComboboxProps<Option extends ComboboxOption> {
  label: ReactNode
  value: string
  onInput(text: string): void
  options: readonly Option[]
  onChoose(option: Option): void
  /** Said under the field and read out: the count of results, "searching…", nothing found. */
  status?: string
  /** A mistake in the text (coordinates out of range): the field is marked invalid and says it. */
  error?: string | null
  hint?: string
  placeholder?: string
  testId?: string
  inputId?: string
  /** Escape on a closed list: the owner may cancel what the field is part of. */
  onEscape?(): void
}

/**
 * An editable combobox with a list popup (the WAI-ARIA 1.2 combobox pattern, list autocomplete): the text stays
 * in the field, the focus stays in the field, the active option is pointed at with aria-activedescendant.
 * Down and Up move through the options, Enter chooses the active one (the first when none is active), Escape
 * closes the list, then leaves it to the owner. The options are real list items a pointer can choose too.
 */
export function Combobox<Option extends ComboboxOption>(props: ComboboxProps<Option>) {
  const generated = useId()
  const inputId = props.inputId ?? `combobox-${generated}`
  const listId = `${inputId}-list`
  const statusId = `${inputId}-status`
  const hintId = `${inputId}-hint`
  const errorId = `${inputId}-error`
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(-1)
  const expanded = open && props.options.length > 0
  const activeOption = expanded && active >= 0 ? props.options[active] : undefined
  const optionId = (index: number) => `${inputId}-option-${index}`

  const choose = (option: Option) => {
    setOpen(false)
    setActive(-1)
    props.onChoose(option)
  }
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const count = props.options.length
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault()
        setOpen(true)
        if (count) setActive((current) => (current + 1) % count)
        break
      case 'ArrowUp':
        event.preventDefault()
        setOpen(true)
        if (count) setActive((current) => (current <= 0 ? count - 1 : current - 1))
        break
      case 'Enter': {
        // Enter never sends the form the field is in: it chooses.
        event.preventDefault()
        const option = activeOption ?? (count ? props.options[0] : undefined)
        if (option) choose(option)
        break
      }
      case 'Escape':
        if (expanded) {
          event.preventDefault()
          event.stopPropagation()
          setOpen(false)
          setActive(-1)
        } else props.onEscape?.()
        break
      default:
        break
    }
  }
  const describedBy = [props.hint ? hintId : null, props.error ? errorId : null, statusId]
    .filter(Boolean)
    .join(' ')

  return (
    <div className={props.error ? 'field combobox invalid' : 'field combobox'}>
      <label htmlFor={inputId}>{props.label}</label>
      <input
        id={inputId}
        type="text"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={activeOption ? optionId(active) : undefined}
        aria-invalid={!!props.error}
        aria-describedby={describedBy}
        placeholder={props.placeholder}
        value={props.value}
        data-testid={props.testId}
        onChange={(event) => {
          setOpen(true)
          setActive(-1)
          props.onInput(event.target.value)
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      {props.hint && (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      <div
        id={listId}
        role="listbox"
        aria-label={typeof props.label === 'string' ? props.label : undefined}
        className="combobox-list"
        hidden={!expanded}
      >
        {props.options.map((option, index) => (
          <div
            key={option.id}
            id={optionId(index)}
            role="option"
            aria-selected={index === active}
            // Never focused: the focus stays in the field, which points here with aria-activedescendant.
            tabIndex={-1}
            className={index === active ? 'active' : undefined}
            // Chosen on mousedown, before the field's blur closes the list.
            onMouseDown={(event) => {
              event.preventDefault()
              choose(option)
            }}
          >
            <span>{option.label}</span>
            {option.detail && <span className="combobox-detail"> · {option.detail}</span>}
          </div>
        ))}
      </div>
      {props.error && (
        <p className="field-error" id={errorId} role="alert">
          {props.error}
        </p>
      )}
      <p className="hint" id={statusId} role="status" aria-live="polite">
        {props.status ?? ''}
      </p>
    </div>
  )
}
